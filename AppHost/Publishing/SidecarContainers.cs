using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace MlAspire.AppHost.Publishing;

/// <summary>
/// A workload's sidecar containers (the Kubo node beside each peer): image, arguments, environment, the pod's data
/// volume, and the AppHost files they mount, carried in ConfigMaps.
/// </summary>
internal sealed class SidecarContainers(K3sSettings settings, EnvironmentResolver environment, IServiceProvider services)
{
    /// <param name="log">Reports the environment variables left out (they point at endpoints the cluster does not serve).</param>
    public async Task<V1Container> BuildAsync(Workload workload, ContainerResource sidecar, List<V1Volume> volumes, List<IKubernetesObject> objects, CancellationToken cancellationToken,
        Action<string, List<string>> log)
    {
        var name = workload.SidecarName(sidecar);
        var image = sidecar.Annotations.OfType<ContainerImageAnnotation>().Last();
        if (string.IsNullOrEmpty(image.Tag) || image.Tag == "latest")
            throw new InvalidOperationException($"'{sidecar.Name}' uses image {image.Image} without an explicit tag.");
        var omitted = new List<string>();
        var env = await environment.ResolveAsync(sidecar, workload, omitted, cancellationToken);
        log(workload.Name + "/" + name, omitted);

        var args = new List<string>();
        if (sidecar.TryGetAnnotationsOfType<CommandLineArgsCallbackAnnotation>(out var argCallbacks))
        {
            var context = new CommandLineArgsCallbackContext([], sidecar, cancellationToken) { ExecutionContext = services.GetRequiredService<DistributedApplicationExecutionContext>() };
            foreach (var callback in argCallbacks)
                await callback.Callback(context);
            args.AddRange(context.Args.Select(arg => arg as string ?? throw new InvalidOperationException($"'{sidecar.Name}': only literal arguments can be published.")));
        }

        var mounts = new List<V1VolumeMount>();
        foreach (var mount in sidecar.Annotations.OfType<ContainerMountAnnotation>().Where(mount => mount.Type == ContainerMountType.Volume))
            mounts.Add(new V1VolumeMount { Name = "data", MountPath = mount.Target, SubPath = Path.GetFileName(mount.Target.TrimEnd('/')) });

        // Files the model gives the container from the AppHost's folder (Kubo's init scripts) are bind mounts when
        // publishing; a cluster has no such folder, so their contents travel in a ConfigMap mounted at the same place.
        foreach (var bind in sidecar.Annotations.OfType<ContainerMountAnnotation>().Where(mount => mount.Type == ContainerMountType.BindMount))
        {
            var configMap = FilesConfigMap(workload, name, bind);
            objects.Add(configMap);
            volumes.Add(new V1Volume
            {
                Name = configMap.Metadata.Name,
                ConfigMap = new V1ConfigMapVolumeSource { Name = configMap.Metadata.Name, DefaultMode = Convert.ToInt32("755", 8) },
            });
            mounts.Add(new V1VolumeMount { Name = configMap.Metadata.Name, MountPath = bind.Target, ReadOnlyProperty = true });
        }

        // Pod Security "restricted" admits no container that may run as root, so an image whose entrypoint starts as root
        // and drops to its own user (Kubo's) is started as that user.
        var user = sidecar.Annotations.OfType<ImageUserAnnotation>().LastOrDefault()
            ?? throw new InvalidOperationException($"'{sidecar.Name}' ({image.Image}) names no unprivileged user to run as (WithImageUser): a restricted pod runs no container as root.");
        var resources = ContainerSizes.For(name);
        if (sidecar.HasAnnotationOfType<GoProgramAnnotation>())
            env.Add(new V1EnvVar { Name = "GOMEMLIMIT", Value = GoMemoryLimit(resources) });
        var endpoints = Workload.Endpoints(sidecar).ToList();
        // The kubelet probes the pod's address, which an endpoint bound to loopback (Kubo's RPC API) does not listen on.
        var probePort = endpoints.FirstOrDefault(endpoint => !Workload.IsPodLocal(endpoint))?.Name;
        return new V1Container
        {
            Name = name,
            Image = string.IsNullOrEmpty(image.Registry) ? $"{image.Image}:{image.Tag}" : $"{image.Registry}/{image.Image}:{image.Tag}",
            ImagePullPolicy = "IfNotPresent",
            Args = args.Count == 0 ? null : args,
            Ports = endpoints.Select(WorkloadManifests.Port).ToList(),
            Env = env.Count == 0 ? null : env,
            Resources = resources,
            // A sidecar's health is its first endpoint reachable from outside the pod accepting connections.
            LivenessProbe = probePort is null ? null : KubeObjects.TcpProbe(probePort, failureThreshold: 6),
            ReadinessProbe = probePort is null ? null : KubeObjects.TcpProbe(probePort, failureThreshold: 3),
            // Up to 5 minutes to start (Kubo may migrate its repo) before liveness counts.
            StartupProbe = probePort is null ? null : KubeObjects.TcpProbe(probePort, failureThreshold: 30),
            VolumeMounts = mounts.Count == 0 ? null : mounts,
            SecurityContext = KubeObjects.RestrictedContainer(user.UserId, user.GroupId),
        };
    }

    /// <summary>The files of a bind-mounted folder of the AppHost (flat: a ConfigMap has no sub-folders), as a ConfigMap.</summary>
    private V1ConfigMap FilesConfigMap(Workload workload, string container, ContainerMountAnnotation bind)
    {
        var source = bind.Source ?? throw new InvalidOperationException($"{workload.Name}/{container}: a bind mount at {bind.Target} has no source.");
        if (!Directory.Exists(source) || Directory.GetDirectories(source).Length > 0)
            throw new InvalidOperationException($"{workload.Name}/{container}: {source} (mounted at {bind.Target}) must be a folder of files, which a ConfigMap can carry.");
        return KubeObjects.FilesConfigMap(
            KubeObjects.Meta($"{workload.Name}-{container}-files", settings.Namespace, Labels.For(workload.Name, workload.Name, settings.Tag)),
            Directory.GetFiles(source));
    }

    /// <summary>
    /// Go's soft memory limit at 90 % of the container's: Go sizes its heap from the host's memory otherwise, and the
    /// kernel kills the container at its limit before the collector feels any pressure. The rest is Go's own overhead.
    /// </summary>
    private static string GoMemoryLimit(V1ResourceRequirements resources) =>
        $"{(long)(resources.Limits["memory"].ToDecimal() * 9 / 10) >> 20}MiB";

    public static bool HasVolume(ContainerResource sidecar) =>
        sidecar.Annotations.OfType<ContainerMountAnnotation>().Any(mount => mount.Type == ContainerMountType.Volume);

}
