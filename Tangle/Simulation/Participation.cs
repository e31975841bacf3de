namespace MlAspire.Tangle.Simulation;

/// <summary>
/// Who trains in which round, the same for every method: each peer has its own speed (its chance to train in a round,
/// spread evenly between the slowest and the fastest quota), and with churn a peer leaves and later rejoins; while
/// away it does nothing. Drawn once from the seed, so every method faces the same peers at the same time.
/// </summary>
public sealed class Participation
{
    private readonly bool[][] _active; // [round][peer]; round 0 unused

    private Participation(bool[][] active) => _active = active;

    public static Participation Create(SimulationConfig config, int seed)
    {
        var random = new Random(seed);
        var speeds = Enumerable.Range(0, config.Peers)
            .Select(_ => config.SlowestQuota + random.NextDouble() * (config.ActiveQuota - config.SlowestQuota))
            .ToArray();
        var present = Enumerable.Repeat(true, config.Peers).ToArray();
        var active = new bool[config.Rounds + 1][];
        active[0] = new bool[config.Peers];
        for (var round = 1; round <= config.Rounds; round++)
        {
            active[round] = new bool[config.Peers];
            for (var peer = 0; peer < config.Peers; peer++)
            {
                if (round > 1 && random.NextDouble() < config.Churn)
                    present[peer] = !present[peer]; // leaves, or comes back: away for 1/churn rounds on average
                active[round][peer] = present[peer] && random.NextDouble() < speeds[peer];
            }
        }
        return new Participation(active);
    }

    public bool IsActive(int peer, int round) => _active[round][peer];
}
