using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using MlAspire.Integration.Tests;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Network;
using MlAspire.Storage.Transactions;

namespace MlAspire.Peer.Tests.Network;

/// <summary>With the network's CA configured, a service calls only TLS servers: a member advertising cleartext is not called.</summary>
public sealed class GrpcTrustTests
{
    [Fact]
    public void A_peer_with_the_CA_does_not_call_a_member_that_advertises_cleartext()
    {
        using var certificates = new TestCertificates();
        using var directory = new NeighbourDirectory(new MembershipState(PeerKey.Create(), TimeProvider.System), GrpcTrust.FromCaFile(certificates.CaFile), NullLogger<NeighbourDirectory>.Instance);

        directory.Upsert(new Neighbour("cleartext", "http://10.42.0.7:5201", "", []));
        directory.Upsert(new Neighbour("tls", "https://peer-1.peer.mlaspire:5201", "", []));

        Assert.False(directory.Contains("cleartext"));
        Assert.True(directory.Contains("tls"));
    }

    [Fact]
    public void Without_the_CA_cleartext_is_allowed_as_in_local_runs()
    {
        var trust = GrpcTrust.From(new ConfigurationBuilder().Build());
        Assert.False(trust.RequiresTls);
        Assert.Null(trust.Refusal("http://127.0.0.1:5201"));
        Assert.NotNull(trust.Refusal("not a url"));
    }

    [Fact]
    public void A_missing_or_empty_CA_file_stops_the_service_with_the_reason()
    {
        using var certificates = new TestCertificates();
        var empty = Path.Combine(certificates.Directory, "empty.crt");
        File.WriteAllText(empty, "");
        foreach (var path in new[] { Path.Combine(certificates.Directory, "missing.crt"), empty })
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection([KeyValuePair.Create<string, string?>(GrpcTrust.CaFileKey, path)]).Build();
            var error = Assert.Throws<InvalidOperationException>(() => GrpcTrust.From(configuration));
            Assert.Contains(path, error.Message);
        }
        Assert.Contains("cleartext", GrpcTrust.FromCaFile(certificates.CaFile).Refusal("http://bootstrap:5101"));
    }
}
