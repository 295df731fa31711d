using DiffusionLab.Core;
using DiffusionLab.IO;
using DiffusionLab.Modules;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Runs;

/// <summary>
/// A network restored from a training checkpoint (EMA weights unless raw), with the run's config and, for a
/// text-to-image run, its tokenizer (tokenizer.json of the run folder the checkpoint sits in): the starting point
/// of `difflab sample` and of every stage built on a trained model (PhotoMaker, DreamBooth).
/// </summary>
public sealed record TrainedModel(Denoiser Model, TrainConfig Config, long Step, string CheckpointPath, string? RunDirectory, WordTokenizer? Tokenizer) : IDisposable
{
    /// <summary>
    /// Loads the latest checkpoint of a run folder, a checkpoint file, or a shipped model (<c>zoo:NAME</c>, bf16 weights into
    /// the fp32 network), onto <paramref name="device"/> (null: CPU) in eval
    /// mode; <paramref name="overrides"/> are <c>Section.Key=Value</c> config overrides.
    /// </summary>
    public static TrainedModel Load(string runOrCheckpoint, IEnumerable<string>? overrides = null, bool raw = false, Device? device = null)
    {
        string path = RunFolder.CheckpointOf(runOrCheckpoint);
        if (ShippedWeights.IsShippedWeights(path)) return LoadShipped(path, overrides, raw, device);
        var checkpoint = TrainingCheckpoint.Load(path);
        if (checkpoint.Stage != TrainingStage.Denoiser)
        {
            foreach (var t in checkpoint.Model.Values.Concat(checkpoint.Ema.Values).Concat(checkpoint.Optimizer.Values)) t.Dispose();
            checkpoint.GeneratorState.Dispose();
            throw new ConfigException($"checkpoint '{path}': a {checkpoint.Stage} stage's run, not a denoiser's (a stage is loaded by its own pipeline: difflab personalize, clip)");
        }
        var stored = System.Text.Json.Nodes.JsonNode.Parse(checkpoint.ConfigJson)!.AsObject();
        var config = TrainConfigLoader.FromJson(stored, path, overrides);
        var model = DenoiserFactory.Create(config.Model);
        try
        {
            StateDictLoader.LoadStrict(model, raw ? checkpoint.Model : checkpoint.Ema, path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in checkpoint.Model.Values.Concat(checkpoint.Ema.Values).Concat(checkpoint.Optimizer.Values)) t.Dispose();
            checkpoint.GeneratorState.Dispose();
        }
        if (device is not null) model.to(device);
        model.eval();
        string? run = Directory.Exists(runOrCheckpoint) ? runOrCheckpoint : null;
        // checkpoints/ sits in the run folder, whose tokenizer.json encoded the training captions.
        var folder = new RunFolder(run ?? Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(path)))!);
        WordTokenizer? tokenizer;
        try { tokenizer = TokenizerOf(config, folder.TokenizerFile, path); }
        catch
        {
            model.Dispose();
            throw;
        }
        return new TrainedModel(model, config, checkpoint.Step, path, run, tokenizer);
    }

    /// <summary>A shipped model (<see cref="ShippedModel"/>): its bf16 weights copied into the fp32 network, its tokenizer beside them.</summary>
    private static TrainedModel LoadShipped(string path, IEnumerable<string>? overrides, bool raw, Device? device)
    {
        var shipped = ShippedWeights.Load(path);
        Denoiser? model = null;
        try
        {
            if (shipped.Stage != TrainingStage.Denoiser)
                throw new ConfigException($"shipped model '{path}': a {shipped.Stage} stage, not a denoiser (sample it with difflab personalize)");
            if (raw && shipped.IsEma) throw new ConfigException($"shipped model '{path}': ships its EMA weights only; --raw does not apply");
            var config = TrainConfigLoader.FromJson(System.Text.Json.Nodes.JsonNode.Parse(shipped.ConfigJson)!.AsObject(), path, overrides);
            model = DenoiserFactory.Create(config.Model);
            StateDictLoader.LoadStrict(model, shipped.Weights, path);
            if (device is not null) model.to(device);
            model.eval();
            var tokenizer = TokenizerOf(config, Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "tokenizer.json"), path);
            return new TrainedModel(model, config, shipped.Step, path, null, tokenizer);
        }
        catch
        {
            model?.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in shipped.Weights.Values) t.Dispose();
        }
    }

    /// <summary>The tokenizer a text-to-image model's prompts are encoded with (null for class-conditional models).</summary>
    private static WordTokenizer? TokenizerOf(TrainConfig config, string tokenizerFile, string path)
    {
        if (!config.Model.IsTextConditioned) return null;
        if (!File.Exists(tokenizerFile))
            throw new ConfigException($"checkpoint '{path}': a text-to-image model, but its folder has no tokenizer.json ({tokenizerFile})");
        var tokenizer = WordTokenizer.Load(tokenizerFile);
        if (tokenizer.VocabSize != config.Model.TextVocabSize)
            throw new ConfigException($"tokenizer '{tokenizerFile}': {tokenizer.VocabSize} entries, but the checkpoint's model has TextVocabSize={config.Model.TextVocabSize}");
        return tokenizer;
    }

    public void Dispose() => Model.Dispose();
}
