using System.Buffers;

namespace MlAspire.Storage.Content;

/// <summary>
/// A held block's bytes lent for serving, in a buffer rented from the shared pool when the store can: the caller
/// disposes it once the bytes have been copied out (written into a response), and must not touch them after.
/// </summary>
public sealed class BlockLease : IDisposable
{
    private byte[]? _rented;

    private BlockLease(byte[] buffer, int length, bool rented)
    {
        Memory = buffer.AsMemory(0, length);
        _rented = rented ? buffer : null;
    }

    public ReadOnlyMemory<byte> Memory { get; }

    /// <summary>Bytes the caller owns already: nothing is returned to the pool.</summary>
    public static BlockLease Of(byte[] bytes) => new(bytes, bytes.Length, rented: false);

    /// <summary>
    /// <paramref name="length"/> bytes filled by <paramref name="fill"/> into a rented buffer; null (the buffer returned)
    /// when <paramref name="fill"/> says they are not the block.
    /// </summary>
    public static BlockLease? Rent(int length, Func<Memory<byte>, bool> fill)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var lease = new BlockLease(buffer, length, rented: true);
        if (fill(buffer.AsMemory(0, length)))
            return lease;
        lease.Dispose();
        return null;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, null) is { } buffer)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
