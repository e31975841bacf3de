namespace MlAspire.Integration.Tests.Hostile;

/// <summary>
/// The keys of PeerStatus.rejected_by_reason the hostile-peer tests look for: RejectionReason labels, snake_case
/// (RejectionReasons.Label). The peer before issue 10 reported none of the new ones, and named the others in PascalCase.
/// </summary>
public static class RejectionLabels
{
    /// <summary>Signed by a key that is not a member of the tangle.</summary>
    public const string NonMember = "non_member";

    /// <summary>A member publishing faster than the tangle's training rate allows.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>An announcement that would pull in more ancestors (or bytes) than one ingestion may hold.</summary>
    public const string BudgetExceeded = "budget_exceeded";

    /// <summary>Too old (or too far in the future) to be accepted as new.</summary>
    public const string Stale = "stale";

    /// <summary>Bytes that decode but are not in the one canonical encoding.</summary>
    public const string NonCanonical = "non_canonical";

    /// <summary>Weights no neighbour supplied in time.</summary>
    public const string WeightsUnavailable = "weights_unavailable";

    /// <summary>More parents than the Bootstrap's max_parents, or parents that break the tangle's rules.</summary>
    public const string InvalidParents = "invalid_parents";
}
