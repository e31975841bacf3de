using System.Diagnostics;
using MlAspire.Peer.Engine;
using MlAspire.Peer.Telemetry;
using MlAspire.Tangle;
using MlAspire.Tangle.Consensus;
using MlAspire.Tangle.Data;
using MlAspire.Tangle.Learning;
using MlAspire.Tangle.Training;

namespace MlAspire.Peer.Hosting;

/// <summary>
/// Every interval, with probability activeQuota, runs one training step and publishes what passes the publish rule;
/// then refreshes the reference model the peer reports. A failed step is logged and the loop goes on. A peer whose intake
/// runs behind skips the whole step to catch up first (<see cref="CatchUpFirst"/>).
/// </summary>
public sealed partial class TrainingLoop(Replica replica, ArrivalJudge judge, CatchUpFirst catchUp, Publisher publisher, PeerSession session, PeerStatusReporter status, ReferenceExport export, PeerMetrics metrics, IConfiguration configuration, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<TrainingLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the host finishes starting while the data loads
        var options = configuration.GetSection(PeerOptions.Section).Get<PeerOptions>() ?? new PeerOptions();
        // Own data is read before anything waits on the network: a missing or malformed folder stops the peer at once.
        var ownPath = options.LocalData is { Length: > 0 } path ? path : null;
        Dataset? own = null;
        if (ownPath is not null && !LoadOrStop(() => own = LocalDataLoader.ReadOwn(ownPath, options.MnistDirectory)))
            return;
        var settings = await session.Started.WaitAsync(stoppingToken);
        await replica.Restored.WaitAsync(stoppingToken);
        var random = new Random(Sampling.DeriveSeed(settings.DataSeed, 2, settings.DataSlot, Environment.ProcessId));
        LocalData? loaded = null;
        if (!LoadOrStop(() => loaded = own is null ? LocalDataLoader.Load(options.MnistDirectory, settings) : LocalDataLoader.FitOwn(own, ownPath!, replica.Rules.Model)))
            return;
        var local = loaded!;
        logger.LogInformation("Training on {Data} ({Train} training, {Test} local test samples) every {Interval}",
            ownPath is not null ? $"its own data {ownPath}" : $"data slot {settings.DataSlot}/{settings.DataSlots}",
            local.Train.Count, local.Test.Count, settings.TrainingInterval);
        judge.Attach(local); // arrivals are judged as they are taken in from now on
        long? previousStart = null;
        using var timer = new PeriodicTimer(settings.TrainingInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (catchUp.Skip() is { } waited)
            {
                metrics.TrainingSkipped();
                LogSkipped(waited.TotalSeconds);
                continue;
            }
            // One trace per step: training, publishing (with its IPFS calls) and the reference model's refresh.
            using var step = PeerTracing.Source.StartActivity("training step");
            try
            {
                if (random.NextDouble() < settings.ActiveQuota)
                {
                    var started = time.GetTimestamp();
                    if (previousStart is { } previous)
                        metrics.TrainingStarted(time.GetElapsedTime(previous, started));
                    previousStart = started;
                    var (outcome, published) = await publisher.TrainAsync(local, settings.Learning, random, stoppingToken);
                    metrics.Trained(published is not null, time.GetElapsedTime(started), outcome.TrainedEvaluation.Accuracy, outcome.TrainedEvaluation.Loss);
                    if (published is not null)
                        logger.LogInformation("Published {Cid}: local loss {Loss:F4}, accuracy {Accuracy:P1}", published.Cid, outcome.TrainedEvaluation.Loss, outcome.TrainedEvaluation.Accuracy);
                    else
                        logger.LogDebug("Not published: {Reason}", outcome.SkipReason);
                }
                var (reference, evaluation) = SelectReference(local, settings.Learning, random);
                replica.Reference = reference.Transactions.Select(t => t.Id).ToHashSet(StringComparer.Ordinal);
                status.ReportReference(new PeerStatusReporter.ReferenceReport(reference.Transactions.Select(t => t.Id).ToList(), evaluation.Accuracy, evaluation.Loss));
                export.Report(reference.Key, reference.Weights);
                metrics.ReferenceMeasured(evaluation.Accuracy, evaluation.Loss);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                metrics.TrainingFailed();
                step?.SetStatus(ActivityStatusCode.Error, e.Message);
                logger.LogError(e, "Training step failed; the next one runs on schedule");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Training step skipped: arrivals wait {Seconds:F1} s on their way in, catching up first")]
    private partial void LogSkipped(double seconds);

    /// <summary>
    /// Runs <paramref name="load"/>; data that is missing, malformed or does not fit the tangle's model (the genesis fixes
    /// it) will not get better by retrying, so the peer stops, saying why, with exit code 2 for its supervisor.
    /// </summary>
    private bool LoadOrStop(Action load)
    {
        try
        {
            load();
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            logger.LogCritical("Cannot train: {Reason}", e.Message);
            Environment.ExitCode = 2;
            // Stopping while other services still start can abort the process (exit 134): stop once started.
            lifetime.ApplicationStarted.Register(lifetime.StopApplication);
            return false;
        }
    }

    /// <summary>The reference model as this peer sees it now, with its accuracy on the peer's local test data.</summary>
    private (ReferenceModel Model, Evaluation Local) SelectReference(LocalData local, LearningParameters parameters, Random random)
    {
        using var _ = PeerTracing.Source.StartActivity("select reference");
        var choice = replica.Read((graph, weights) =>
            ReferenceModel.Choose(graph, weights, local, parameters.CreateTipSelector(TrainingStep.LocalAccuracy(graph, local, weights)), parameters, random));
        var reference = choice.Combine(parameters); // outside the replica's lock: averaging needs no tangle
        return (reference, local.Evaluate(reference.Key, reference.Weights));
    }
}
