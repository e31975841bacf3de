namespace MlAspire.Tangle.Simulation;

/// <summary>Accuracy and loss on the held-out set after a round; tangle figures only for the tangle.</summary>
public sealed record RoundResult(int Round, string Method, double Accuracy, double Loss, int? TangleSize = null, int? Tips = null);

/// <summary>A way of learning from the federation, advanced one round at a time.</summary>
public interface ISimulatedMethod
{
    string Name { get; }

    /// <summary>Trains one round (round numbers start at 1).</summary>
    void Train(int round);

    RoundResult Evaluate(int round);
}
