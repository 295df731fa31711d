using DiffusionLab.Core;
using DiffusionLab.Data.World;
using DiffusionLab.Mdt;
using DiffusionLab.Text;
using static TorchSharp.torch;

namespace DiffusionLab.Runs;

/// <summary>
/// The text-to-image model a stage (PhotoMaker, motion) trains on, as its BaseCheckpoint names it: a run folder, a
/// checkpoint or a shipped model (<c>zoo:NAME</c>). <see cref="Identity"/> is what the stage's checkpoints record and a
/// resumed run must match: the zoo name for a shipped model (it resolves in any checkout), else the checkpoint file's
/// full path.
/// </summary>
public sealed record StageBase(TrainedModel Model, string Identity) : IDisposable
{
    /// <summary>The metadata keys of a stage checkpoint that name its base: <see cref="Identity"/> and the base's step.</summary>
    public const string CheckpointKey = "base_checkpoint", StepKey = "base_step";

    /// <summary>
    /// Loads BaseCheckpoint (EMA weights unless <paramref name="raw"/>) onto <paramref name="device"/>, or a one-line
    /// ConfigException naming the key; <paramref name="trainFirst"/> tells how to make a base when there is none.
    /// </summary>
    public static StageBase Load(string baseCheckpoint, bool raw, Device device, string trainFirst)
    {
        if (!ModelZoo.IsZooName(baseCheckpoint) && !File.Exists(baseCheckpoint) && !Directory.Exists(baseCheckpoint))
            throw new ConfigException($"key 'BaseCheckpoint': '{baseCheckpoint}' does not exist; {trainFirst} or point BaseCheckpoint at one (--set BaseCheckpoint=RUN or zoo:NAME)");
        TrainedModel model;
        try { model = TrainedModel.Load(baseCheckpoint, raw: raw, device: device); }
        catch (ConfigException e) { throw new ConfigException($"key 'BaseCheckpoint': not a usable text-to-image run: {e.Message}"); }
        return new StageBase(model, ModelZoo.IsZooName(baseCheckpoint) ? baseCheckpoint : Path.GetFullPath(model.CheckpointPath));
    }

    /// <summary>
    /// The base's network, checked to be a text-to-image MDT (with a tokenizer) trained on CharacterWorld; else a
    /// ConfigException naming the key (<paramref name="needs"/>: what the stage needs CharacterWorld for).
    /// </summary>
    public MaskedDiffusionTransformer CharacterWorldBackbone(string baseCheckpoint, string needs)
    {
        if (Model.Model is not MaskedDiffusionTransformer backbone || Model.Tokenizer is null)
            throw new ConfigException($"key 'BaseCheckpoint': '{baseCheckpoint}' is not a text-to-image MDT run");
        if (Model.Config.Data.Dataset != DatasetKind.CharacterWorld)
            throw new ConfigException($"key 'BaseCheckpoint': its run trained on '{ConfigChoice.Name(Model.Config.Data.Dataset)}'; {needs}");
        return backbone;
    }

    /// <summary>What every checkpoint of a stage trained on this base records about it (<see cref="Recorded"/> reads it back).</summary>
    public Dictionary<string, string> CheckpointMetadata() => new()
    {
        [CheckpointKey] = Identity,
        [StepKey] = Model.Step.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The base a stage checkpoint's metadata names, or a ConfigException naming <paramref name="checkpoint"/> (e.g. "motion checkpoint 'PATH'").</summary>
    public static (string Checkpoint, long Step) Recorded(IReadOnlyDictionary<string, string>? metadata, string checkpoint)
    {
        if (metadata is null || !metadata.TryGetValue(CheckpointKey, out var file) || !metadata.TryGetValue(StepKey, out var step)
            || !long.TryParse(step, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long parsed))
            throw new ConfigException($"{checkpoint}: metadata '{CheckpointKey}' or '{StepKey}' missing");
        return (file, parsed);
    }

    /// <summary>
    /// The base a stage checkpoint recorded, loaded for sampling (EMA weights when <paramref name="useEma"/>): a
    /// text-to-image MDT and its tokenizer, or a ConfigException naming <paramref name="checkpoint"/> (e.g. "motion checkpoint 'PATH'").
    /// </summary>
    public static (TrainedModel Trained, MaskedDiffusionTransformer Backbone, WordTokenizer Tokenizer) LoadRecorded(string baseCheckpoint, bool useEma, Device? device, string checkpoint)
    {
        // A shipped stage names its base in the zoo; TrainedModel.Load resolves it (or lists the available names).
        if (!ModelZoo.IsZooName(baseCheckpoint) && !File.Exists(baseCheckpoint))
            throw new ConfigException($"{checkpoint}: its base checkpoint '{baseCheckpoint}' is not there (moved or deleted?)");
        var trained = TrainedModel.Load(baseCheckpoint, raw: !useEma, device: device);
        if (trained.Model is MaskedDiffusionTransformer backbone && trained.Tokenizer is { } tokenizer) return (trained, backbone, tokenizer);
        trained.Dispose();
        throw new ConfigException($"{checkpoint}: base '{baseCheckpoint}' is not a text-to-image MDT");
    }

    /// <summary>
    /// The CharacterWorld a base run trained on, at a stage's image size (its held-out people: ones no stage ever saw); an
    /// InvalidOperationException when the base is unknown (<paramref name="baseConfig"/> null) or trained on another dataset.
    /// </summary>
    public static CharacterWorld World(TrainConfig? baseConfig, int imageSize)
    {
        if (baseConfig is not { } config) throw new InvalidOperationException("this pipeline was not loaded from a checkpoint, so its base run's world is unknown");
        if (config.Data.Dataset != DatasetKind.CharacterWorld) throw new InvalidOperationException($"the base run trained on '{ConfigChoice.Name(config.Data.Dataset)}', not CharacterWorld");
        return new CharacterWorld(DatasetLoader.WorldConfig(config.Data, imageSize));
    }

    public void Dispose() => Model.Dispose();
}
