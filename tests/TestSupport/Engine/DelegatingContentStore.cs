using MlAspire.Storage.Content;

namespace MlAspire.Peer.Tests.Engine;

/// <summary>A store that passes every call on to another: a test's store overrides only the calls it changes (a slow collection, a failing read).</summary>
public class DelegatingContentStore(IContentStore inner) : IContentStore
{
    public virtual string Kind => inner.Kind;

    public virtual Task<Cid> PutAsync(ContentCodec codec, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.PutAsync(codec, content, cancellationToken);

    public virtual Task<byte[]> GetAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null) =>
        inner.GetAsync(cid, timeout, cancellationToken, preferredPeer);

    public virtual Task<byte[]> FetchPinnedAsync(Cid cid, TimeSpan timeout, CancellationToken cancellationToken, string? preferredPeer = null) =>
        inner.FetchPinnedAsync(cid, timeout, cancellationToken, preferredPeer);

    public virtual Task<bool> HasAsync(Cid cid, CancellationToken cancellationToken) => inner.HasAsync(cid, cancellationToken);

    public virtual ValueTask<BlockLease?> LendLocalAsync(Cid cid, CancellationToken cancellationToken) => inner.LendLocalAsync(cid, cancellationToken);

    public virtual Task PinAsync(Cid cid, CancellationToken cancellationToken) => inner.PinAsync(cid, cancellationToken);

    public virtual Task UnpinAsync(Cid cid, CancellationToken cancellationToken) => inner.UnpinAsync(cid, cancellationToken);

    public virtual Task<IReadOnlyCollection<Cid>> PinsAsync(CancellationToken cancellationToken) => inner.PinsAsync(cancellationToken);

    public virtual Task<bool> IsPinnedAsync(Cid cid, CancellationToken cancellationToken) => inner.IsPinnedAsync(cid, cancellationToken);

    public virtual Task<StoreUsage> CollectGarbageAsync(CancellationToken cancellationToken) => inner.CollectGarbageAsync(cancellationToken);

    public virtual Task<StoreUsage> UsageAsync(CancellationToken cancellationToken) => inner.UsageAsync(cancellationToken);
}
