namespace MlAspire.Storage.Content;

/// <summary>
/// The store's disk (or its IPFS node's) has no room left. What failed was not stored, and nothing stored before is
/// touched: the same write succeeds once space returns. It is this peer's own fault, never the content's or a sender's.
/// </summary>
public sealed class StoreFullException(string message, Exception? inner = null) : IOException(message, inner)
{
    private const int NoSpace = 28; // ENOSPC, as .NET reports it on Linux and macOS
    private const int QuotaExceeded = 122; // EDQUOT (Linux)
    private const int DiskFull = unchecked((int)0x80070070); // ERROR_DISK_FULL
    private const int HandleDiskFull = unchecked((int)0x80070027); // ERROR_HANDLE_DISK_FULL

    /// <summary>Whether <paramref name="e"/> says the disk is full (or the user's quota spent).</summary>
    public static bool IsDiskFull(Exception e) =>
        e is StoreFullException or IOException { HResult: NoSpace or QuotaExceeded or DiskFull or HandleDiskFull };
}
