using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MlAspire.Storage.Content;
using MlAspire.Storage.Transactions;
using MlAspire.Tangle.Dag;
using MlAspire.Tangle.Learning;

namespace MlAspire.Bootstrap.Genesis;

/// <summary>
/// Creates the genesis once and keeps it in the data directory, so that a restarted bootstrap hands out the same
/// genesis CID, hence the same tangle. Files are written to a temporary name and moved into place, and the transaction
/// is written last: a crash leaves either a complete genesis or none.
/// </summary>
public sealed partial class GenesisStore(IOptions<BootstrapOptions> options, IHostEnvironment environment, TimeProvider time, ILogger<GenesisStore> logger)
{
    public const string KeyFileName = "bootstrap-key.p8";
    public const string WeightsFileName = "genesis-weights.bin";
    public const string TransactionFileName = "genesis-transaction.json";

    public string DataDirectory { get; } = Path.GetFullPath(options.Value.DataDirectory, environment.ContentRootPath);

    /// <exception cref="InvalidOperationException">The stored genesis is damaged or was made for another model.</exception>
    public GenesisBlocks LoadOrCreate()
    {
        var settings = options.Value;
        var shape = settings.Rules.Model;
        var seededWeights = WeightCodec.Encode(Models.Create(shape).Initialize(new Random(settings.GenesisSeed)), settings.WeightPrecision);
        Directory.CreateDirectory(DataDirectory);
        AtomicFile.CleanTemporaries(DataDirectory); // what a crash mid-write left

        if (File.Exists(PathOf(TransactionFileName)))
        {
            var genesis = Load(shape);
            LogLoaded(genesis.TransactionCid.ToString(), Describe(shape), DataDirectory);
            if (!genesis.WeightsCid.Names(seededWeights))
                LogSeedIgnored(settings.GenesisSeed, genesis.TransactionCid.ToString());
            return genesis;
        }

        var created = Create(shape, seededWeights);
        LogCreated(created.TransactionCid.ToString(), Describe(shape), settings.GenesisSeed, DataDirectory);
        return created;
    }

    private GenesisBlocks Create(ModelShape shape, byte[] weights)
    {
        using var key = LoadOrCreateKey();
        var weightsCid = ContentFiles.FileCid(weights);
        var document = TransactionDocument.CreateSigned(
            genesis: null, parents: [], weightsCid, time.GetUtcNow().ToUnixTimeMilliseconds(), TransactionMetrics.None, key);
        var transaction = TransactionCodec.Encode(document);
        WriteAtomically(WeightsFileName, weights, secret: false);
        WriteAtomically(TransactionFileName, transaction, secret: false);
        return new GenesisBlocks(Cid.Compute(ContentCodec.DagJson, transaction), transaction, weightsCid, weights, shape, key.PublicKey);
    }

    private GenesisBlocks Load(ModelShape configuredShape)
    {
        var transaction = File.ReadAllBytes(PathOf(TransactionFileName));
        var weightsPath = PathOf(WeightsFileName);
        if (!File.Exists(weightsPath))
            throw Damaged($"{WeightsFileName} is missing");
        var weights = File.ReadAllBytes(weightsPath);
        var transactionCid = Cid.Compute(ContentCodec.DagJson, transaction);

        TransactionDocument document;
        ModelShape storedShape;
        bool signed;
        try
        {
            document = TransactionCodec.Decode(transaction);
            storedShape = WeightCodec.Decode(weights).Shape;
            // A genesis made before signatures were canonical (high s) is still this tangle's genesis: peers trust it by CID.
            signed = PeerKey.Verify(document.CreatorKey, TransactionCodec.EncodePayload(document), document.Signature) != PeerKey.Check.Invalid;
        }
        catch (Exception e) when (e is FormatException or InvalidWeightsException)
        {
            throw Damaged(e.Message);
        }
        if (!document.IsGenesis || document.Parents.Count != 0)
            throw Damaged($"{TransactionFileName} is not a genesis transaction");
        if (!document.Weights.Names(weights))
            throw Damaged($"{WeightsFileName} does not hash to the weights CID {document.Weights} the transaction links");
        if (!signed)
            throw Damaged($"{TransactionFileName} has an invalid signature");
        if (storedShape != configuredShape)
            throw new InvalidOperationException(
                $"The genesis in {DataDirectory} is for {Describe(storedShape)} but Bootstrap:Model configures {Describe(configuredShape)}. " +
                "Restore the configuration, or delete the data directory to start a new tangle.");
        return new GenesisBlocks(transactionCid, transaction, document.Weights, weights, storedShape, document.CreatorKey);
    }

    /// <summary>The key that signed the genesis (it signs membership credentials too); call after <see cref="LoadOrCreate"/>.</summary>
    /// <exception cref="InvalidOperationException">The key file is missing or unreadable.</exception>
    public PeerKey LoadKey()
    {
        var path = PathOf(KeyFileName);
        if (!File.Exists(path))
            throw Damaged($"{KeyFileName} is missing");
        try
        {
            return PeerKey.Import(File.ReadAllBytes(path));
        }
        catch (CryptographicException e)
        {
            throw Damaged($"{KeyFileName} is not a P-256 private key ({e.Message})");
        }
    }

    private PeerKey LoadOrCreateKey()
    {
        var path = PathOf(KeyFileName);
        if (File.Exists(path))
            return PeerKey.Import(File.ReadAllBytes(path));
        var key = PeerKey.Create();
        WriteAtomically(KeyFileName, key.ExportPkcs8(), secret: true);
        return key;
    }

    private void WriteAtomically(string fileName, byte[] content, bool secret) =>
        AtomicFile.WriteAsync(PathOf(fileName), content, CancellationToken.None, secret ? UnixFileMode.UserRead | UnixFileMode.UserWrite : null).GetAwaiter().GetResult();

    private static string Describe(ModelShape shape) => shape.Description;

    private string PathOf(string fileName) => Path.Combine(DataDirectory, fileName);

    private InvalidOperationException Damaged(string problem) =>
        new($"The genesis in {DataDirectory} is damaged: {problem}. Restore the files, or delete the data directory to start a new tangle.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Created genesis {GenesisCid} for {Shape} from seed {Seed} in {DataDirectory}")]
    private partial void LogCreated(string genesisCid, string shape, int seed, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded genesis {GenesisCid} for {Shape} from {DataDirectory}")]
    private partial void LogLoaded(string genesisCid, string shape, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bootstrap:GenesisSeed {Seed} does not give the stored genesis weights; keeping the stored genesis {GenesisCid} (delete the data directory to start a new tangle)")]
    private partial void LogSeedIgnored(int seed, string genesisCid);
}
