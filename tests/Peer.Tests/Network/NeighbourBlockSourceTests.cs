using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Grpc;
using MlAspire.Peer.Network;
using MlAspire.Peer.Telemetry;
using MlAspire.Peer.Tests.Telemetry;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;

namespace MlAspire.Peer.Tests.Network;

/// <summary>
/// Block fetches over real gRPC from two neighbours on loopback, both holding the block: the one that announced it
/// answers late, the other at once. What is checked is whom the fetch asked, not how long it took.
/// </summary>
public sealed class NeighbourBlockSourceTests : IAsyncLifetime
{
    private static readonly byte[] Block = [.. Enumerable.Range(0, 4096).Select(i => (byte)i)];
    private static readonly Cid BlockCid = Cid.Compute(ContentCodec.Raw, Block);

    private readonly NeighbourService _announcer = new();
    private readonly NeighbourService _other = new();
    private readonly HedgeBudget _budget = new();
    private NeighbourDirectory _directory = null!;
    private NeighbourBlockSource _source = null!;

    public async Task InitializeAsync()
    {
        await _announcer.StartAsync();
        await _other.StartAsync();
        var metrics = new PeerMetrics(null);
        _directory = new NeighbourDirectory(new MembershipState(PeerKey.Create(), TimeProvider.System), GrpcTrust.Open, Microsoft.Extensions.Logging.Abstractions.NullLogger<NeighbourDirectory>.Instance);
        _directory.Upsert(new Neighbour("announcer", _announcer.Address, "", []));
        _directory.Upsert(new Neighbour("other", _other.Address, "", []));
        _source = new NeighbourBlockSource(_directory, new StalledNeighbours(TimeProvider.System, metrics, NullLogger<StalledNeighbours>.Instance),
            new AskLatency(), _budget, metrics, NullLogger<NeighbourBlockSource>.Instance);
    }

    public async Task DisposeAsync()
    {
        _directory.Dispose();
        await _announcer.DisposeAsync();
        await _other.DisposeAsync();
    }

    [Fact]
    public async Task With_hedges_on_hand_a_slow_announcer_is_hedged_at_the_hedge_delay()
    {
        _announcer.AnswerAfter = TimeSpan.FromSeconds(2.5);
        Assert.NotNull(await _source.TryFetchAsync(BlockCid, "announcer", default));
        Assert.Equal(1, _other.Asked);
        Assert.Equal(HedgeBudget.Burst - 1, _budget.Available);
    }

    [Fact]
    public async Task Out_of_hedges_an_announcer_answering_within_the_late_hedge_is_the_only_one_asked()
    {
        while (_budget.TrySpend()) { }
        _announcer.AnswerAfter = NeighbourBlockSource.LateHedge / 3; // past the hedge delay, well before the late hedge
        Assert.NotNull(await _source.TryFetchAsync(BlockCid, "announcer", default));
        Assert.Equal(1, _announcer.Asked);
        Assert.Equal(0, _other.Asked);
    }

    [Fact]
    public async Task Out_of_hedges_an_announcer_answering_just_before_its_deadline_is_hedged_late()
    {
        while (_budget.TrySpend()) { }
        _announcer.AnswerAfter = NeighbourBlockSource.AskTimeout - TimeSpan.FromMilliseconds(200);
        Assert.NotNull(await _source.TryFetchAsync(BlockCid, "announcer", default));
        Assert.Equal(1, _other.Asked);
        Assert.Equal(0, _budget.Available); // the late hedge spends nothing; the fetch earned a tenth
    }

    [Fact]
    public async Task Out_of_hedges_an_announcer_without_the_block_makes_way_for_the_next_at_once()
    {
        while (_budget.TrySpend()) { }
        _announcer.Holds = false;
        Assert.NotNull(await _source.TryFetchAsync(BlockCid, "announcer", default));
        Assert.Equal(1, _other.Asked);
    }

    /// <summary>A neighbour's TangleSync service on loopback that serves the one block, after <see cref="AnswerAfter"/>.</summary>
    private sealed class NeighbourService : TangleSync.TangleSyncBase, IAsyncDisposable
    {
        private WebApplication? _app;
        private int _asked;

        public TimeSpan AnswerAfter { get; set; }

        public bool Holds { get; set; } = true;

        public int Asked => Volatile.Read(ref _asked);

        public string Address { get; private set; } = "";

        public async Task StartAsync()
        {
            var builder = LoopbackApp.Builder();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(this);
            _app = builder.Build();
            _app.MapGrpcService<NeighbourService>();
            await _app.StartAsync();
            Address = LoopbackApp.Address(_app).ToString().TrimEnd('/');
        }

        public override async Task<BlockMessage> GetBlock(GetBlockRequest request, ServerCallContext context)
        {
            Interlocked.Increment(ref _asked);
            if (!Holds)
                throw new RpcException(new Status(StatusCode.NotFound, "not held"));
            await Task.Delay(AnswerAfter, context.CancellationToken);
            return new BlockMessage { Data = ByteString.CopyFrom(Block) };
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
                await _app.DisposeAsync();
        }
    }
}
