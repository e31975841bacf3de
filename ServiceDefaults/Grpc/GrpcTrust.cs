using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which gRPC servers this service's clients talk to. With <see cref="CaFileKey"/> set (a PEM file of the network's own
/// CA, as deploy/tls/grpc-certs.sh or cert-manager make it), a server must present a certificate for the address's host
/// that chains to one of those CAs, and cleartext addresses are refused: nobody on the path reads the join token or
/// replays a member's call headers, and a neighbour cannot talk a caller down to cleartext. Unset, cleartext h2c and
/// the system's roots (local runs under the AppHost).
/// </summary>
public sealed class GrpcTrust
{
    public const string CaFileKey = "Tls:CaFile";

    private readonly X509Certificate2Collection? _authorities;

    private GrpcTrust(X509Certificate2Collection? authorities) => _authorities = authorities;

    /// <summary>Cleartext allowed, system roots for https.</summary>
    public static GrpcTrust Open { get; } = new(null);

    /// <summary>Reads <see cref="CaFileKey"/>; a file that is missing or holds no certificate stops the service with the reason.</summary>
    public static GrpcTrust From(IConfiguration configuration) =>
        configuration[CaFileKey] is { Length: > 0 } path ? FromCaFile(path) : Open;

    public static GrpcTrust FromCaFile(string path)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"{CaFileKey} '{path}' cannot be read as PEM certificates: {e.Message}", e);
        }
        if (authorities.Count == 0)
            throw new InvalidOperationException($"{CaFileKey} '{path}' holds no certificate (expected the PEM of the network's CA).");
        return new GrpcTrust(authorities);
    }

    /// <summary>True when only TLS servers whose certificate chains to the configured CA are called.</summary>
    public bool RequiresTls => _authorities is not null;

    /// <summary>Null when this service may call <paramref name="address"/>; otherwise why not.</summary>
    public string? Refusal(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return $"'{address}' is not an absolute http or https URL";
        return RequiresTls && uri.Scheme != Uri.UriSchemeHttps
            ? $"'{address}' is cleartext, and this service only calls TLS servers ({CaFileKey} is set)"
            : null;
    }

    /// <summary>Throws with the reason when <paramref name="address"/> may not be called; returns it as a URI otherwise.</summary>
    public Uri Check(string address) =>
        Refusal(address) is { } reason ? throw new InvalidOperationException(reason) : new Uri(address);

    /// <summary>A channel's credentials for <paramref name="address"/>: TLS for https, none for h2c, with <paramref name="call"/>'s headers on every call either way.</summary>
    public static Grpc.Core.ChannelCredentials ChannelCredentials(Uri address, Grpc.Core.CallCredentials call) =>
        Grpc.Core.ChannelCredentials.Create(
            address.Scheme == Uri.UriSchemeHttps ? Grpc.Core.ChannelCredentials.SecureSsl : Grpc.Core.ChannelCredentials.Insecure, call);

    /// <summary>Makes <paramref name="handler"/> accept only servers whose certificate chains to the configured CA (no revocation lists: the CA is the network's own).</summary>
    public SocketsHttpHandler Secure(SocketsHttpHandler handler)
    {
        if (_authorities is null)
            return handler;
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(_authorities);
        handler.SslOptions.CertificateChainPolicy = policy;
        return handler;
    }
}
