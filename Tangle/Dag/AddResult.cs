namespace MlAspire.Tangle.Dag;

public enum AddStatus
{
    /// <summary>Inserted; <see cref="AddResult.Inserted"/> lists it and every held transaction it released.</summary>
    Added,

    /// <summary>Already known (inserted or held): adding is idempotent.</summary>
    Duplicate,

    /// <summary>Held until its missing parents arrive; <see cref="AddResult.MissingParents"/> says which to fetch.</summary>
    Pending,

    /// <summary>Invalid; <see cref="AddResult.Error"/> says why. Nothing was stored.</summary>
    Rejected,
}

public sealed record AddResult(AddStatus Status, IReadOnlyList<Transaction> Inserted, IReadOnlyList<string> MissingParents, string? Error)
{
    internal static AddResult Duplicate { get; } = new(AddStatus.Duplicate, [], [], null);

    internal static AddResult Reject(string error) => new(AddStatus.Rejected, [], [], error);
}
