using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Integration.Tests;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using MlAspire.Visualization.Membership;
using BootstrapClient = MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient;

namespace MlAspire.Visualization.Tests.Membership;

/// <summary>The Visualization as an observer member of a real Bootstrap (its program, as a process).</summary>
public sealed class ObserverMembershipTests
{
    private const string Token = "observer-test";

    [Fact]
    public async Task It_joins_as_an_observer_renews_its_credential_and_leaves_when_stopped()
    {
        var grpcPort = ServiceProcess.FreePort();
        using var data = new TempFolder();
        await using var bootstrapProcess = ServiceProcess.Start("bootstrap", "Bootstrap", new Dictionary<string, string>
        {
            ["Kestrel__Endpoints__http__Url"] = $"http://127.0.0.1:{ServiceProcess.FreePort()}",
            ["Kestrel__Endpoints__grpc__Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Bootstrap__JoinToken"] = Token,
            ["Bootstrap__DataDirectory"] = data.Path,
            ["Bootstrap__Model__Architecture"] = "logreg",
            ["Bootstrap__HeartbeatInterval"] = "00:00:00.500",
            // Renewed past half of it: about every 1.5 s.
            ["Bootstrap__CredentialLifetime"] = "00:00:03",
            ["Bootstrap__MaxObservers"] = "1",
        });
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        var bootstrap = new BootstrapClient(channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {Token}");
            return metadata;
        }));
        var options = new VisualizationOptions { RetryDelay = TimeSpan.FromMilliseconds(250) };
        using var identity = new ObserverIdentity(TimeProvider.System);
        using var membership = new ObserverMembership(bootstrap, identity, options, TimeProvider.System, NullLogger<ObserverMembership>.Instance);

        await membership.StartAsync(CancellationToken.None);
        var first = await identity.CredentialAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        var genesis = await bootstrap.GetBlockAsync(new GetBlockRequest { Cid = first.Grant.Genesis.ToString() });
        var creatorKey = TransactionCodec.Decode(genesis.Data.Span).CreatorKey;
        Assert.Equal(CredentialCheck.Valid, first.Check(creatorKey, first.Grant.Genesis, identity.PeerId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), TimeSpan.FromSeconds(5)));
        Assert.Equal((identity.PeerId, 0, false), (first.Grant.Subject, first.Grant.Samples, first.Grant.Publish));
        Assert.Empty((await bootstrap.ListPeersAsync(new ListPeersRequest())).Peers);

        await Eventually.TrueAsync(() => Task.FromResult(identity.Credential!.Grant.Created > first.Grant.Created), TimeSpan.FromSeconds(15),
            () => $"the credential was never renewed\n{bootstrapProcess.Output}");
        Assert.Equal(CredentialCheck.Valid, identity.Credential!.Check(creatorKey, first.Grant.Genesis, identity.PeerId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), TimeSpan.FromSeconds(5)));

        // Its place (MaxObservers = 1) is taken until it leaves.
        using var next = new ObserverIdentity(TimeProvider.System);
        var full = await Assert.ThrowsAsync<RpcException>(() => bootstrap.JoinAsync(BootstrapRequests.Join(next)).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, full.StatusCode);
        await membership.StopAsync(CancellationToken.None);
        var joined = await bootstrap.JoinAsync(BootstrapRequests.Join(next));
        Assert.Equal(next.PeerId, MembershipCredential.Decode(joined.Credential.Span).Grant.Subject);
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("mlaspire-observer-test-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
