namespace MlAspire.Tangle.Publishing;

/// <summary>Publish only what beats every model it approves on local loss.</summary>
public sealed class BetterThanParents : IPublishRule
{
    public string? Reject(PublishEvidence evidence)
    {
        var best = evidence.Parents.Min(p => p.Loss);
        return evidence.Trained.Loss < best
            ? null
            : $"local loss {evidence.Trained.Loss:F4} does not beat the best parent's {best:F4}";
    }
}
