using MlAspire.Tangle.Learning;

namespace MlAspire.Tangle.Aggregation;

/// <summary>
/// Multi-Krum (Blanchard et al. 2017): the mean of the m models with the lowest Krum
/// scores; m = 0 takes n − f, every model but as many as may be poisoned. Between Krum (m = 1) and the plain mean.
/// </summary>
public sealed class MultiKrumAggregator : IAggregator
{
    private readonly int _byzantine;
    private readonly int _selected;

    public MultiKrumAggregator(int byzantine = KrumAggregator.DefaultByzantine, int selected = 0)
    {
        _byzantine = KrumAggregator.CheckedByzantine(byzantine);
        _selected = selected >= 0 ? selected : throw new ArgumentException($"m is {selected}; it must not be negative");
    }

    public ModelWeights Aggregate(IReadOnlyList<PublishedModel> models)
    {
        var take = Math.Clamp(_selected == 0 ? models.Count - _byzantine : _selected, 1, models.Count);
        var chosen = KrumAggregator.Ranked(models, _byzantine).Take(take).Select(i => models[i].Weights).ToList();
        return ModelAveraging.Average(chosen);
    }
}
