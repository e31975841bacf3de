using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Publishing;

/// <summary>What a freshly trained model is compared with, all measured on the peer's local test data.</summary>
public sealed record PublishEvidence(Evaluation Trained, Evaluation Reference, IReadOnlyList<Evaluation> Parents);

/// <summary>Decides whether a trained model is worth a transaction; returns null to publish, or the reason not to.</summary>
public interface IPublishRule
{
    string? Reject(PublishEvidence evidence);
}
