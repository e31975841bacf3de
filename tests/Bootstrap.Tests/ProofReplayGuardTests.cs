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
        // Room for 2 × (1 + 1) ids; times are kept for the clock skew plus the peer timeout, 10 s + 3 s.
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
        Assert.Equal(ProofAcceptance.TooManyCallers, guard.TryAccept("e", 13_000, 13_000));
        // Known ids are still served while full.
        Assert.Equal(ProofAcceptance.Accepted, guard.TryAccept("d", 13_000, 13_000));

        Assert.Equal(ProofAcceptance.Accepted, guard.TryAccept("e", 13_001, 13_001));
        // "a" was forgotten to make room: its old proof is out of time by now anyway (13 s > 10 s of skew).
        Assert.Equal(ProofAcceptance.Accepted, guard.TryAccept("a", 13_001, 13_001));
        Assert.Equal(ProofAcceptance.Replayed, guard.TryAccept("d", 13_000, 13_001));
    }
}
