using Grpc.Core;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using ModelShape = MlAspire.Tangle.Learning.ModelShape;
using BootstrapClient = MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient;

namespace MlAspire.Integration.Tests.Hostile;

/// <summary>What a (possibly hostile) member says about itself when it joins.</summary>
/// <param name="Key">The key it signs transactions with; the hardened Bootstrap derives the peer id from it.</param>
/// <param name="ClaimedId">The id it asks for; null asks for its own key's id. Another peer's id is an impersonation.</param>
public sealed record MemberClaim(PeerKey Key, string GrpcAddress, string? ClaimedId = null, IReadOnlyList<string>? SwarmAddresses = null, string IpfsPeerId = "")
{
    public string PeerId => ClaimedId ?? Key.Id;
}

/// <summary>
/// A test process's membership of the tangle: the ONE place that speaks the join protocol. Every request is signed with
/// the member's key (bootstrap.proto, RequestProof); one that names another member's id is what an impersonation sends.
/// The credential the Bootstrap issues is what the member's transactions carry and what its calls to peers show.
/// </summary>
public sealed class Membership : IAsyncDisposable
{
    private readonly BootstrapClient _bootstrap;
    private readonly BootstrapProofs.Clock _clock;
    private readonly CancellationTokenSource _stop = new();
    private Task _heartbeats = Task.CompletedTask;

    private Membership(BootstrapClient bootstrap, MemberClaim claim, JoinResponse joined, BootstrapProofs.Clock clock)
    {
        _bootstrap = bootstrap;
        _clock = clock;
        Claim = claim;
        Joined = joined;
        Credential = MembershipCredential.Decode(joined.Credential.Span);
    }

    /// <summary>What the Bootstrap granted this member (its transactions carry it; its calls to peers show it).</summary>
    public MembershipCredential Credential { get; }

    public MemberClaim Claim { get; }

    public string PeerId => Claim.PeerId;

    public JoinResponse Joined { get; }

    public Cid Genesis => Cid.Parse(Joined.GenesisCid);

    public ModelShape Shape => ModelShape.Parse(Joined.Tangle.Model);

    /// <summary>How often a member trains: the rate a flood is measured against.</summary>
    public TimeSpan TrainingInterval => TimeSpan.FromMilliseconds(Joined.Training.IntervalMs);

    public TimeSpan HeartbeatInterval => TimeSpan.FromMilliseconds(Joined.HeartbeatIntervalMs);

    /// <summary>Joins as <see cref="MemberClaim.PeerId"/>, signed with the claim's key. Throws the Bootstrap's RpcException when refused.</summary>
    public static async Task<Membership> JoinAsync(BootstrapClient bootstrap, MemberClaim claim)
    {
        var clock = new BootstrapProofs.Clock();
        var request = new JoinRequest { PeerId = claim.PeerId, GrpcAddress = claim.GrpcAddress, IpfsPeerId = claim.IpfsPeerId };
        request.IpfsSwarmAddresses.AddRange(claim.SwarmAddresses ?? []);
        request.Proof = BootstrapProofs.Prove(claim.Key, "join", request, clock);
        var joined = await bootstrap.JoinAsync(request, deadline: DateTime.UtcNow.AddSeconds(15));
        return new Membership(bootstrap, claim, joined, clock);
    }

    /// <summary>Heartbeats as <paramref name="claimedId"/> (default: this member's id), signed with this member's key; false when the Bootstrap does not know it.</summary>
    public async Task<bool> HeartbeatAsync(string? claimedId = null)
    {
        var request = new HeartbeatRequest { PeerId = claimedId ?? PeerId };
        request.Proof = BootstrapProofs.Prove(Claim.Key, "heartbeat", request, _clock);
        return (await _bootstrap.HeartbeatAsync(request, deadline: DateTime.UtcNow.AddSeconds(5))).Known;
    }

    /// <summary>Leaves as <paramref name="claimedId"/> (default: this member's id), signed with this member's key.</summary>
    public async Task LeaveAsync(string? claimedId = null)
    {
        var request = new LeaveRequest { PeerId = claimedId ?? PeerId };
        request.Proof = BootstrapProofs.Prove(Claim.Key, "leave", request, _clock);
        await _bootstrap.LeaveAsync(request, deadline: DateTime.UtcNow.AddSeconds(5));
    }

    /// <summary>Heartbeats in the background for as long as the membership lives, as an honest peer would.</summary>
    public Membership KeepAlive()
    {
        _heartbeats = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await HeartbeatAsync();
                }
                catch (RpcException)
                {
                    // Bootstrap briefly unavailable: the next beat may get through.
                }
                catch (ObjectDisposedException)
                {
                    return; // the test tore the cluster (and its channel) down first
                }
                await Task.Delay(HeartbeatInterval, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        });
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _heartbeats;
        _stop.Dispose();
    }
}
