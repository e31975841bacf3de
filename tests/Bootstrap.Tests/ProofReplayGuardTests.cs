extern alias BootstrapApp;

using Microsoft.Extensions.Options;
using BootstrapApp::MlAspire.Bootstrap;
using BootstrapApp::MlAspire.Bootstrap.Grpc;

namespace MlAspire.Bootstrap.Tests;

public sealed class ProofReplayGuardTests
{
    [Fact]
    public void Each_id_s_proofs_must_be_newer_than_the_last_accepted()
    {
        var guard = new ProofReplayGuard(Options.Create(new BootstrapOptions()));

        Assert.Equal(ProofAcceptance.Accepted, guard.TryAccept("a", 1_000, 1_000));
        Assert.Equal(ProofAcceptance.Replayed, guard.TryAccept("a", 1_000, 1_001));
        Assert.Equal(ProofAcceptance.Replayed, guard.TryAccept("a", 999, 1_001));
        Assert.Equal(ProofAcceptance.Accepted, guard.TryAccept("b", 1_000, 1_001));
        Assert.Equal(ProofAcceptance.Accepted, guard.TryAccept("a", 1_001, 1_001));
    }

    [Fact]
    public void Memory_is_bounded_and_a_time_is_forgotten_only_once_no_proof_that_old_is_in_time()
    {
        // Room for 2 × (1 + 1) ids; times are kept for the clock skew, 10 s: no proof older than that is in time.
        var guard = new ProofReplayGuard(Options.Create(new BootstrapOptions
        {
            MaxPeers = 1,
            MaxObservers = 1,
            ClockSkew = TimeSpan.FromSeconds(10),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
        }));
        foreach (var id in new[] { "a", "b", "c", "d" })
            Assert.Equal(ProofAcceptance.Accepted, guard.TryAccept(id, 0, 0));

        Assert.Equal(ProofAcceptance.TooManyCallers, guard.TryAccept("e", 1, 1));
        Assert.Equal(ProofAcceptance.TooManyCallers, guard.TryAccept("e", 10_000, 10_000));
        // Known ids are still served while full.
        Assert.Equal(ProofAcceptance.Accepted, guard.TryAccept("d", 10_000, 10_000));

        Assert.Equal(ProofAcceptance.Accepted, guard.TryAccept("e", 10_001, 10_001));
        // "a" was forgotten to make room: its old proof is out of time by now anyway (10 s of skew have passed).
        Assert.Equal(ProofAcceptance.Accepted, guard.TryAccept("a", 10_001, 10_001));
        // A withdrawn proof leaves no trace; one accepted since is not withdrawn by an older time.
        guard.Withdraw("a", 10_001);
        Assert.Equal(ProofAcceptance.Accepted, guard.TryAccept("a", 10_001, 10_001));
        guard.Withdraw("d", 1);
        Assert.Equal(ProofAcceptance.Replayed, guard.TryAccept("d", 10_000, 10_001));
    }
}
