using Grpc.Core;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Storage.Content;
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
/// A test process's membership of the tangle: the ONE place that speaks the join protocol, so that it is the only code
/// to change when joining becomes a signed request with a key-derived id and a Bootstrap-issued credential. Today it is
/// a JoinRequest with a free-text id, and heartbeats and leaves name that id; nothing proves who is asking.
/// </summary>
public sealed class Membership : IAsyncDisposable
{
    private readonly BootstrapClient _bootstrap;
    private readonly CancellationTokenSource _stop = new();
    private Task _heartbeats = Task.CompletedTask;

    private Membership(BootstrapClient bootstrap, MemberClaim claim, JoinResponse joined)
    {
        _bootstrap = bootstrap;
        Claim = claim;
        Joined = joined;
    }

    public MemberClaim Claim { get; }

    public string PeerId => Claim.PeerId;

    public JoinResponse Joined { get; }

    public Cid Genesis => Cid.Parse(Joined.GenesisCid);

    public ModelShape Shape => Joined.Tangle.Model is { Architecture: ModelArchitecture.Mlp } mlp
        ? ModelShape.Mlp(mlp.Inputs, mlp.Hidden, mlp.Classes)
        : ModelShape.LogisticRegression(Joined.Tangle.Model.Inputs, Joined.Tangle.Model.Classes);

    /// <summary>How often a member trains: the rate a flood is measured against.</summary>
    public TimeSpan TrainingInterval => TimeSpan.FromMilliseconds(Joined.Training.IntervalMs);

    public TimeSpan HeartbeatInterval => TimeSpan.FromMilliseconds(Joined.HeartbeatIntervalMs);

    /// <summary>Joins (today: registers <see cref="MemberClaim.PeerId"/> as sent). Throws the Bootstrap's RpcException when refused.</summary>
    public static async Task<Membership> JoinAsync(BootstrapClient bootstrap, MemberClaim claim)
    {
        var request = new JoinRequest { PeerId = claim.PeerId, GrpcAddress = claim.GrpcAddress, IpfsPeerId = claim.IpfsPeerId };
        request.IpfsSwarmAddresses.AddRange(claim.SwarmAddresses ?? []);
        var joined = await bootstrap.JoinAsync(request, deadline: DateTime.UtcNow.AddSeconds(15));
        return new Membership(bootstrap, claim, joined);
    }

    /// <summary>Heartbeats as <paramref name="claimedId"/> (default: this member's id); false when the Bootstrap does not know it.</summary>
    public async Task<bool> HeartbeatAsync(string? claimedId = null) =>
        (await _bootstrap.HeartbeatAsync(new HeartbeatRequest { PeerId = claimedId ?? PeerId }, deadline: DateTime.UtcNow.AddSeconds(5))).Known;

    /// <summary>Leaves as <paramref name="claimedId"/> (default: this member's id).</summary>
    public async Task LeaveAsync(string? claimedId = null) =>
        await _bootstrap.LeaveAsync(new LeaveRequest { PeerId = claimedId ?? PeerId }, deadline: DateTime.UtcNow.AddSeconds(5));

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
