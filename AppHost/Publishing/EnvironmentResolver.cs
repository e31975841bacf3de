using System.Globalization;
using k8s.Models;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// Turns a resource's environment, as the AppHost's callbacks produce it in publish mode, into container variables:
/// endpoint references become cluster addresses (see <see cref="AppTopology.HostOf"/>), secret parameters become
/// references to the Secret of the same name (key <see cref="SecretKey"/>), and variables that point at an endpoint
/// the cluster does not serve are left out.
/// </summary>
internal sealed class EnvironmentResolver(AppTopology topology, DistributedApplicationExecutionContext executionContext)
{
    public const string SecretKey = "value";

    /// <summary>The Secrets the variables refer to (one per secret parameter), for the kustomization to generate.</summary>
    public SortedSet<string> Secrets { get; } = new(StringComparer.Ordinal);

    /// <summary>Resolved variables in the order the callbacks set them; names of those left out in <paramref name="omitted"/>.</summary>
    public async Task<List<V1EnvVar>> ResolveAsync(IResource resource, Workload self, ICollection<string> omitted, CancellationToken cancellationToken)
    {
        var variables = new List<V1EnvVar>();
        if (!resource.TryGetEnvironmentVariables(out var callbacks))
            return variables;
        var context = new EnvironmentCallbackContext(executionContext, resource, cancellationToken: cancellationToken);
        foreach (var callback in callbacks)
            await callback.Callback(context);

        foreach (var (name, value) in context.EnvironmentVariables)
        {
            if (value is ParameterResource { Secret: true } secret)
            {
                Secrets.Add(secret.Name);
                variables.Add(new V1EnvVar
                {
                    Name = name,
                    ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = secret.Name, Key = SecretKey } },
                });
                continue;
            }
            var text = await TextAsync(value, resource, self, name, cancellationToken);
            if (text is null)
                omitted.Add(name);
            else
                variables.Add(new V1EnvVar { Name = name, Value = text });
        }
        return variables;
    }

    /// <summary>A value as text, or null when it points at an endpoint the cluster does not serve.</summary>
    private async Task<string?> TextAsync(object? value, IResource resource, Workload self, string variable, CancellationToken cancellationToken)
    {
        switch (value)
        {
            case null:
                return "";
            case string text:
                return text;
            case ParameterResource { Secret: true }:
                throw new InvalidOperationException($"{resource.Name}: {variable} embeds a secret parameter in a larger value; a Secret can only be a whole variable.");
            case ParameterResource parameter:
                return await parameter.GetValueAsync(cancellationToken) ?? "";
            case EndpointReference endpoint:
                return Endpoint(endpoint, EndpointProperty.Url, self);
            case EndpointReferenceExpression expression:
                return Endpoint(expression.Endpoint, expression.Property, self);
            case ReferenceExpression expression:
                var parts = new object?[expression.ValueProviders.Count];
                for (var i = 0; i < parts.Length; i++)
                {
                    parts[i] = await TextAsync(expression.ValueProviders[i], resource, self, variable, cancellationToken);
                    if (parts[i] is null)
                        return null;
                }
                return string.Format(CultureInfo.InvariantCulture, expression.Format, parts);
            case IFormattable formattable:
                return formattable.ToString(null, CultureInfo.InvariantCulture);
            default:
                throw new InvalidOperationException($"{resource.Name}: {variable} has a {value.GetType().Name} value, which the K3s publisher cannot translate.");
        }
    }

    private string? Endpoint(EndpointReference reference, EndpointProperty property, Workload self)
    {
        var endpoint = Workload.Endpoints(reference.Resource).FirstOrDefault(candidate => candidate.Name == reference.EndpointName);
        if (endpoint is null)
            return null;
        var port = Workload.TargetPort(endpoint).ToString(CultureInfo.InvariantCulture);
        return property switch
        {
            EndpointProperty.TargetPort or EndpointProperty.Port => port,
            EndpointProperty.Scheme => GrpcTls.Scheme(endpoint),
            EndpointProperty.Host or EndpointProperty.IPV4Host => topology.HostOf(reference.Resource, self),
            EndpointProperty.HostAndPort => $"{topology.HostOf(reference.Resource, self)}:{port}",
            EndpointProperty.Url => $"{GrpcTls.Scheme(endpoint)}://{topology.HostOf(reference.Resource, self)}:{port}",
            EndpointProperty.TlsEnabled => GrpcTls.IsGrpc(endpoint) ? "True" : "False",
            _ => throw new InvalidOperationException($"Endpoint property {property} of '{reference.Resource.Name}' is not supported by the K3s publisher."),
        };
    }
}
