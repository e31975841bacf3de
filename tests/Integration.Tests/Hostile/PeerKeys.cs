using MlAspire.Storage.Transactions;

namespace MlAspire.Integration.Tests.Hostile;

public static class PeerKeys
{
    /// <summary>
    /// A fresh key whose id sorts (ordinally) before every id in <paramref name="others"/>: peers ask neighbours in id
    /// order, so such a member is asked first. Ids are derived from keys, so this is grinding, which costs an attacker
    /// a few thousand key generations at most; it works the same once the Bootstrap insists on key-derived ids.
    /// </summary>
    public static PeerKey SortingBefore(IReadOnlyCollection<string> others)
    {
        while (true)
        {
            var key = PeerKey.Create();
            if (others.All(other => string.CompareOrdinal(key.Id, other) < 0))
                return key;
            key.Dispose();
        }
    }
}
