using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Data;

namespace MlAspire.Bootstrap.Tests;

/// <summary>The membership credentials the bootstrap's key signs: who gets which, and how long they last.</summary>
public sealed class CredentialTests
{
    [Fact]
    public async Task A_peer_s_credential_checks_against_the_genesis_creator_and_caps_samples_at_its_slot_s_training_set()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?>
        {
            ["Bootstrap:Data:Slots"] = "4",
            ["Bootstrap:Data:Partition"] = "dirichlet:0.5",
            ["Bootstrap:Data:Seed"] = "11",
        }, time).Start();
        var client = host.CreateGrpcClient();
        var peers = TestMember.Several(3, time);
        var expected = Slots(4, "dirichlet:0.5", 11);

        var samples = new List<int>();
        foreach (var peer in peers)
        {
            var joined = await client.JoinAsync(peer.Join());
            var (credential, genesis, creatorKey) = Read(joined);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();

            Assert.Equal(CredentialCheck.Valid, credential.Check(creatorKey, genesis, peer.Id, now, TimeSpan.Zero));
            Assert.Equal(CredentialCheck.NotIssued, credential.Check(creatorKey, genesis, peers.First(p => p != peer).Id, now, TimeSpan.Zero));
            Assert.Equal(new MembershipGrant(genesis, peer.Id, now, now + 3_600_000, expected.TrainingSamples(joined.Data.Slot), Publish: true), credential.Grant);
            samples.Add(credential.Grant.Samples);
        }
        // Dirichlet slots differ in size: each cap is its own slot's, not one figure for all.
        Assert.True(samples.Distinct().Count() > 1, $"samples {string.Join(", ", samples)}");
    }

    [Fact]
    public async Task Heartbeats_renew_a_credential_once_less_than_half_of_its_lifetime_remains()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider();
        await using var host = new BootstrapHost(data.Path, new Dictionary<string, string?>
        {
            ["Bootstrap:HeartbeatInterval"] = "00:00:05",
            ["Bootstrap:CredentialLifetime"] = "00:01:00",
        }, time).Start();
        var client = host.CreateGrpcClient();
        using var peer = new TestMember(time);
        var joined = await client.JoinAsync(peer.Join());
        var (first, genesis, creatorKey) = Read(joined);

        // Half the lifetime (30 s) still remains after six heartbeats: nothing to renew.
        for (var i = 0; i < 6; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            var quiet = await client.HeartbeatAsync(peer.Heartbeat());
            Assert.True(quiet.Known);
            Assert.True(quiet.Credential.IsEmpty, $"renewed after {(i + 1) * 5} s");
        }
        time.Advance(TimeSpan.FromSeconds(5));
        var renewing = await client.HeartbeatAsync(peer.Heartbeat());
        time.Advance(TimeSpan.FromSeconds(5));
        var after = await client.HeartbeatAsync(peer.Heartbeat());

        var renewed = MembershipCredential.Decode(renewing.Credential.Span);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.Equal(first.Grant with { Created = first.Grant.Created + 35_000, Expires = first.Grant.Expires + 35_000 }, renewed.Grant);
        Assert.Equal(CredentialCheck.Valid, renewed.Check(creatorKey, genesis, peer.Id, now, TimeSpan.Zero));
        Assert.True(after.Credential.IsEmpty, "renewed twice in a row");
    }

    [Fact]
    public async Task Credentials_issued_before_a_restart_still_check_and_the_restarted_bootstrap_signs_with_the_same_key()
    {
        using var data = new TempDirectory();
        using var peer = new TestMember();
        var (before, genesis, keyBefore) = Read(await JoinOnceAsync(data.Path, peer));
        var (after, genesisAfter, keyAfter) = Read(await JoinOnceAsync(data.Path, peer));

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(genesis, genesisAfter);
        Assert.Equal(keyBefore, keyAfter);
        Assert.Equal(CredentialCheck.Valid, before.Check(keyAfter, genesisAfter, peer.Id, now, TimeSpan.FromMinutes(1)));
        Assert.Equal(CredentialCheck.Valid, after.Check(keyBefore, genesis, peer.Id, now, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_key_that_did_not_sign_the_genesis_refuses_to_start()
    {
        using var data = new TempDirectory();
        using var peer = new TestMember();
        await JoinOnceAsync(data.Path, peer);
        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            await File.WriteAllBytesAsync(Path.Combine(data.Path, "bootstrap-key.p8"), other.ExportPkcs8PrivateKey());

        var refused = await BootstrapHost.RefusedStartAsync<InvalidOperationException>(() => new BootstrapHost(data.Path));
        Assert.Contains("did not sign the genesis", refused.Message, StringComparison.Ordinal);
    }

    private static async Task<JoinResponse> JoinOnceAsync(string dataDirectory, TestMember peer)
    {
        await using var host = new BootstrapHost(dataDirectory).Start();
        return await host.CreateGrpcClient().JoinAsync(peer.Join());
    }

    /// <summary>The caller's credential, the genesis CID and the key that signed the genesis, read as a member reads them.</summary>
    internal static (MembershipCredential Credential, Cid Genesis, string CreatorKey) Read(JoinResponse joined)
    {
        var genesis = Cid.Parse(joined.GenesisCid);
        var document = TransactionVerifier.VerifyGenesis(genesis, joined.GenesisTransaction.ToByteArray());
        return (MembershipCredential.Decode(joined.Credential.Span), genesis, document.CreatorKey);
    }

    /// <summary>The slots as the peer computes them, from the MNIST labels shipped with the bootstrap.</summary>
    private static DataSlots Slots(int count, string partition, int seed)
    {
        using var labels = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "data", "mnist", "t10k-labels-idx1-ubyte.gz"));
        return new DataSlots(IdxReader.ReadLabels(labels)[..DataSplits.MnistTrainPoolSize], IdxReader.DigitClasses, partition, count, seed);
    }
}
