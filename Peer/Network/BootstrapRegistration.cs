using Google.Protobuf;
using Grpc.Core;
using MlAspire.Bootstrap.Grpc;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Hosting;
using MlAspire.Storage.Content;
using MlAspire.Storage.Membership;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle;
using MlAspire.Tangle.Learning;
using BootstrapClient = MlAspire.Bootstrap.Grpc.Bootstrap.BootstrapClient;

namespace MlAspire.Peer.Network;

/// <summary>
/// Joins through Bootstrap (adopting its genesis, rules and parameters, and the credential it issues), then heartbeats
/// (renewing the credential) and refreshes the neighbour list. Every request is signed with this peer's key. Bootstrap
/// being down never stops learning: the peer keeps its neighbours, retries with backoff, and re-joins when Bootstrap
/// answers again or says it no longer knows the peer.
/// </summary>
public sealed class BootstrapRegistration(
    BootstrapClient bootstrap,
    Replica replica,
    IContentStore store,
    PeerKey key,
    MembershipState membership,
    PeerSession session,
    NeighbourDirectory neighbours,
    PeerStatusReporter status,
    AdvertisedAddresses addresses,
    IStorageNetwork storageNetwork,
    TimeProvider time,
    ILogger<BootstrapRegistration> logger) : BackgroundService
{
    private long _lastProofTime;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(500);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var heartbeat = await JoinAsync(stoppingToken);
                backoff = TimeSpan.FromMilliseconds(500);
                while (await HeartbeatAsync(stoppingToken))
                    await Task.Delay(heartbeat, stoppingToken);
                logger.LogWarning("Bootstrap no longer knows this peer; joining again");
            }
            // Anything but shutting down is retried: a Bootstrap (or a path to it) that answers nonsense must not stop the peer.
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (e is RpcException { StatusCode: StatusCode.Unauthenticated or StatusCode.PermissionDenied } refused)
                    logger.LogError("Bootstrap refused this peer ({Detail}); check the join token and the clock. Retrying in {Delay}", refused.Status.Detail, backoff);
                else
                    logger.LogWarning("Could not register with Bootstrap ({Error}); retrying in {Delay}", e.Message, backoff);
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(15).Ticks));
            }
        }
        await LeaveAsync();
    }

    private async Task<TimeSpan> JoinAsync(CancellationToken stoppingToken)
    {
        var (nodeId, nodeAddresses) = await storageNetwork.IdentityAsync(stoppingToken);
        var request = new JoinRequest { PeerId = key.Id, GrpcAddress = addresses.Grpc, MetricsAddress = addresses.Metrics, IpfsPeerId = nodeId };
        // What the Bootstrap accepts (PeerRecord): at most 8 addresses of at most 256 characters.
        request.IpfsSwarmAddresses.AddRange(nodeAddresses.Where(a => a.Length <= 256).Take(8));
        request.Proof = Prove("join", request);
        var response = await bootstrap.JoinAsync(request, deadline: DateTime.UtcNow.AddSeconds(15), cancellationToken: stoppingToken);

        var genesis = Cid.Parse(response.GenesisCid);
        await AdoptAsync(genesis, response, stoppingToken);
        Renew(response.Credential);
        session.Start(SessionMapping.ToSettings(response, response.Data));
        Refresh(response.Peers);
        logger.LogInformation("Joined tangle {Genesis} as {Peer} with {Count} other peers", genesis, key.Id, response.Peers.Count);
        return SessionMapping.ToSettings(response, response.Data).HeartbeatInterval;
    }

    /// <summary>
    /// Verifies the genesis, reads its weights from the Bootstrap block by block (a file of chunks for a large model),
    /// stores both and starts the replica under the Bootstrap's rules; a re-join to the same genesis has nothing to do.
    /// The read is bounded: no more than the model's weights, 15 s a block, <see cref="GenesisReadTimeout"/> in all.
    /// </summary>
    private async Task AdoptAsync(Cid genesis, JoinResponse response, CancellationToken stoppingToken)
    {
        if (replica.IsInitialized)
        {
            // Checked before any download: a Bootstrap now serving another tangle costs nothing per retry.
            if (!replica.Genesis.Equals(genesis))
                throw new InvalidOperationException($"This peer follows tangle {replica.Genesis}; Bootstrap now serves {genesis}.");
            return;
        }
        var rules = SessionMapping.ToRules(response);
        var transaction = response.GenesisTransaction.ToByteArray();
        TransactionDocument document;
        byte[] weightsBytes;
        ModelWeights weights;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(GenesisReadTimeout);
        try
        {
            document = TransactionVerifier.VerifyGenesis(genesis, transaction);
            weightsBytes = await ContentFiles.ReadFileAsync(document.Weights, rules.WeightsBytes, GenesisBlockAsync, deadline.Token);
            weights = WeightCodec.Decode(weightsBytes);
        }
        catch (Exception e) when (e is TransactionRejectedException or InvalidWeightsException or InvalidDataException)
        {
            throw new InvalidDataException($"Bootstrap sent an unusable genesis: {e.Message}", e);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Reading the genesis weights from Bootstrap took longer than {GenesisReadTimeout.TotalMinutes:0} minutes.");
        }
        if (weights.Shape != rules.Model)
            throw new InvalidDataException($"Bootstrap's genesis weights are {weights.Shape}, but it says the model is {rules.Model}.");
        await store.PutAsFileAsync(document.Weights, weightsBytes, stoppingToken);
        await store.PutAsync(ContentCodec.DagJson, transaction, stoppingToken);
        replica.Initialize(new VerifiedTransaction(genesis, transaction, document, weights), rules);
    }

    /// <summary>The whole genesis read: the largest weights (174 blocks of 256 KiB) at a slow 1 MB/s, with room to spare.</summary>
    private static readonly TimeSpan GenesisReadTimeout = TimeSpan.FromMinutes(2);

    private async Task<byte[]> GenesisBlockAsync(Cid cid, CancellationToken cancellationToken) =>
        (await bootstrap.GetBlockAsync(new GetBlockRequest { Cid = cid.ToString() }, deadline: DateTime.UtcNow.AddSeconds(15), cancellationToken: cancellationToken)).Data.ToByteArray();

    private async Task<bool> HeartbeatAsync(CancellationToken stoppingToken)
    {
        var current = status.Current();
        var request = new HeartbeatRequest
        {
            PeerId = key.Id,
            Status = new MlAspire.Bootstrap.Grpc.PeerStatus { TangleSize = current.TangleSize, Tips = current.Tips, ReferenceAccuracy = current.ReferenceAccuracy },
        };
        request.Proof = Prove("heartbeat", request);
        var reply = await bootstrap.HeartbeatAsync(request, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: stoppingToken);
        if (!reply.Known) return false;
        if (!reply.Credential.IsEmpty)
            Renew(reply.Credential);
        try
        {
            var peers = await bootstrap.ListPeersAsync(new ListPeersRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: stoppingToken);
            Refresh(peers.Peers);
        }
        catch (RpcException e) when (!stoppingToken.IsCancellationRequested)
        {
            // Still a member (the heartbeat went through): keep the last neighbours and heartbeat on, rather than re-join.
            logger.LogWarning("Could not list the members ({Detail}); keeping the last known neighbours", e.Status.Detail);
        }
        return true;
    }

    /// <summary>Takes a credential only if it is this tangle's Bootstrap's, for this peer: anything else would make every transaction it signs refused.</summary>
    private void Renew(ByteString bytes)
    {
        MembershipCredential credential;
        try
        {
            credential = MembershipCredential.Decode(bytes.Span);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"Bootstrap sent a malformed credential: {e.Message}", e);
        }
        var check = credential.Check(replica.GenesisDocument.CreatorKey, replica.Genesis, key.Id, credential.Grant.Created, TimeSpan.Zero);
        if (check != CredentialCheck.Valid)
            throw new InvalidDataException($"Bootstrap sent a credential that does not verify ({check}).");
        membership.Renew(credential);
    }

    /// <summary>Bootstrap's list is the truth about who is alive; the last known set is kept only while Bootstrap is unreachable.</summary>
    private void Refresh(IEnumerable<PeerInfo> peers)
    {
        var others = peers.Where(p => p.PeerId != key.Id && !string.IsNullOrEmpty(p.GrpcAddress)).ToList();
        foreach (var peer in others)
            neighbours.Upsert(new Neighbour(peer.PeerId, peer.GrpcAddress, peer.IpfsPeerId, [.. peer.IpfsSwarmAddresses]));
        foreach (var gone in neighbours.Current.Where(n => others.All(p => p.PeerId != n.PeerId)))
            neighbours.Remove(gone.PeerId);
    }

    /// <summary>Signs <paramref name="request"/> (its proof field still empty) for the Bootstrap; times strictly increase, as the Bootstrap requires.</summary>
    private RequestProof Prove(string purpose, IMessage request)
    {
        var now = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), Interlocked.Read(ref _lastProofTime) + 1);
        Interlocked.Exchange(ref _lastProofTime, now);
        var proof = CallProof.Create(key, purpose, "bootstrap", now, request.ToByteArray());
        return new RequestProof { PublicKey = proof.PublicKey, TimeMs = proof.TimeMs, Signature = proof.Signature };
    }

    private async Task LeaveAsync()
    {
        try
        {
            var request = new LeaveRequest { PeerId = key.Id };
            request.Proof = Prove("leave", request);
            await bootstrap.LeaveAsync(request, deadline: DateTime.UtcNow.AddSeconds(2));
        }
        catch (RpcException)
        {
            // Shutting down anyway: Bootstrap drops silent peers after its timeout.
        }
    }
}

/// <summary>How other peers and Prometheus reach this peer.</summary>
public sealed record AdvertisedAddresses(string Grpc, string Metrics);
