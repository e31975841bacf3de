namespace MlAspire.Tangle.Publishing;

/// <summary>No filter: for ablations, and for what an attacker does anyway.</summary>
public sealed class AlwaysPublish : IPublishRule
{
    public string? Reject(PublishEvidence evidence) => null;
}
