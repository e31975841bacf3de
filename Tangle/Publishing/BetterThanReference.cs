namespace MlAspire.Tangle.Publishing;

/// <summary>Publish only what beats the current consensus model on local loss.</summary>
public sealed class BetterThanReference : IPublishRule
{
    public string? Reject(PublishEvidence evidence) =>
        evidence.Trained.Loss < evidence.Reference.Loss
            ? null
            : $"local loss {evidence.Trained.Loss:F4} does not beat the reference's {evidence.Reference.Loss:F4}";
}
