using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MlAspire.Bootstrap.Genesis;
using MlAspire.Bootstrap.Membership;
using MlAspire.Storage.Content;

namespace MlAspire.Bootstrap.Grpc;

/// <summary>
/// The Bootstrap gRPC service (bootstrap.proto): membership over <see cref="MemberEnrollment"/>, every Join, Heartbeat
/// and Leave checked by <see cref="RequestProofVerifier"/> first; discovery; and the genesis.
/// </summary>
public sealed class BootstrapService(
    MemberEnrollment enrollment,
    IMembershipRegistry registry,
    RequestProofVerifier proofs,
    GenesisBlocks genesis,
    IOptions<BootstrapOptions> options,
    IHostApplicationLifetime lifetime) : Bootstrap.BootstrapBase
{
    public override Task<JoinResponse> Join(JoinRequest request, ServerCallContext context)
    {
        proofs.Verify(request, request.PeerId, request.Proof, RequestProofVerifier.JoinPurpose, context);
        Enrolment enrolled;
        try
        {
            enrolled = request.Observer ? enrollment.JoinObserver(request.PeerId) : enrollment.JoinPeer(request.ToRegistration());
        }
        catch (Exception e) when (e is InvalidPeerRegistrationException or MembershipLimitException)
        {
            // Not enrolled: its proof holds no place in the replay memory, which refused joins must not fill.
            proofs.Withdraw(request.PeerId, request.Proof.TimeMs);
            throw new RpcException(new Status(e is MembershipLimitException ? StatusCode.ResourceExhausted : StatusCode.InvalidArgument, e.Message));
        }

        var settings = options.Value;
        var response = new JoinResponse
        {
            GenesisCid = genesis.TransactionCid.ToString(),
            // Wrapping without a copy is safe: the genesis blocks are never written after they are created.
            GenesisTransaction = UnsafeByteOperations.UnsafeWrap(genesis.Transaction),
            Tangle = MessageMapping.ToTangleParameters(settings.Rules, settings.Learning),
            Training = MessageMapping.ToTrainingParameters(settings.Rules, settings.Training.ActiveQuota),
            HeartbeatIntervalMs = (long)settings.HeartbeatInterval.TotalMilliseconds,
            Data = enrolled.DataSlot is { } slot ? MessageMapping.ToDataAssignment(slot, settings.Data) : null,
            Credential = UnsafeByteOperations.UnsafeWrap(enrolled.Credential.Encode()),
        };
        response.Peers.AddRange(registry.Peers.Where(p => p.PeerId != request.PeerId).Select(p => p.ToPeerInfo()));
        return Task.FromResult(response);
    }

    public override Task<HeartbeatResponse> Heartbeat(HeartbeatRequest request, ServerCallContext context)
    {
        // An id that is no member changes nothing: answered before its proof is checked, it costs no replay memory.
        if (!enrollment.IsMember(request.PeerId))
            return Task.FromResult(new HeartbeatResponse { Known = false });
        proofs.Verify(request, request.PeerId, request.Proof, RequestProofVerifier.HeartbeatPurpose, context);
        var outcome = enrollment.Heartbeat(request.PeerId, request.Status.ToLearningStatus());
        return Task.FromResult(new HeartbeatResponse
        {
            Known = outcome.Known,
            Credential = outcome.Renewed is { } renewed ? UnsafeByteOperations.UnsafeWrap(renewed.Encode()) : ByteString.Empty,
        });
    }

    public override Task<LeaveResponse> Leave(LeaveRequest request, ServerCallContext context)
    {
        if (!enrollment.IsMember(request.PeerId))
            return Task.FromResult(new LeaveResponse()); // leaving twice is not an error, and changes nothing
        proofs.Verify(request, request.PeerId, request.Proof, RequestProofVerifier.LeavePurpose, context);
        enrollment.Leave(request.PeerId);
        return Task.FromResult(new LeaveResponse());
    }

    public override Task<ListPeersResponse> ListPeers(ListPeersRequest request, ServerCallContext context)
    {
        var response = new ListPeersResponse();
        response.Peers.AddRange(registry.Peers.Select(p => p.ToPeerInfo()));
        return Task.FromResult(response);
    }

    public override async Task WatchPeers(WatchPeersRequest request, IServerStreamWriter<PeerEvent> responseStream, ServerCallContext context)
    {
        // Watches never end by themselves; ending them when the host stops keeps shutdown from waiting on them.
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        PeerWatch watch;
        try
        {
            watch = registry.Watch();
        }
        catch (MembershipLimitException e)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, e.Message));
        }
        using (watch)
        {
            try
            {
                await responseStream.WriteAsync(MessageMapping.ToSnapshotEvent(watch.Snapshot), cancellation.Token);
                await foreach (var change in watch.Changes.ReadAllAsync(cancellation.Token))
                    await responseStream.WriteAsync(change.ToPeerEvent(), cancellation.Token);
            }
            catch (WatchOverflowException e)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted, e.Message));
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "The bootstrap is shutting down; watch again when it is back."));
            }
        }
    }

    public override Task<GetBlockResponse> GetBlock(GetBlockRequest request, ServerCallContext context)
    {
        if (!Cid.TryParse(request.Cid, out var cid, out var problem))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"cid is not a CID this system uses: {problem}."));
        if (!genesis.TryFind(cid, out var block))
            throw new RpcException(new Status(StatusCode.NotFound, $"Block {cid} is not held here: the bootstrap serves only the genesis blocks."));
        return Task.FromResult(new GetBlockResponse { Data = UnsafeByteOperations.UnsafeWrap(block) });
    }
}
