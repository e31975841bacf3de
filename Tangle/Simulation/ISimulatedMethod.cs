namespace MlAspire.Tangle.Simulation;

/// <summary>
/// Accuracy and loss on the held-out set after a round; tangle figures only for the tangle: its size, tips, and how many
/// honest peers' updates of the last <see cref="ReferenceReach.Window"/> rounds the references contain (mean over peers).
/// </summary>
public sealed record RoundResult(int Round, string Method, double Accuracy, double Loss, int? TangleSize = null, int? Tips = null, double? Contributors = null);

/// <summary>A way of learning from the federation, advanced one round at a time.</summary>
public interface ISimulatedMethod
{
    string Name { get; }

    /// <summary>Trains one round (round numbers start at 1).</summary>
    void Train(int round);

    RoundResult Evaluate(int round);
}
