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
    /// Loads the latest checkpoint of a run folder, or a checkpoint file, onto <paramref name="device"/> (null: CPU) in eval
    /// mode; <paramref name="overrides"/> are <c>Section.Key=Value</c> config overrides.
    /// </summary>
    public static TrainedModel Load(string runOrCheckpoint, IEnumerable<string>? overrides = null, bool raw = false, Device? device = null)
    {
        string path = RunFolder.CheckpointOf(runOrCheckpoint);
        var checkpoint = TrainingCheckpoint.Load(path);
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
        WordTokenizer? tokenizer = null;
        if (config.Model.IsTextConditioned)
        {
            // checkpoints/ sits in the run folder, whose tokenizer.json encoded the training captions.
            var folder = new RunFolder(run ?? Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(path)))!);
            if (!File.Exists(folder.TokenizerFile))
            {
                model.Dispose();
                throw new ConfigException($"checkpoint '{path}': a text-to-image model, but its run folder has no tokenizer.json ({folder.TokenizerFile})");
            }
            tokenizer = WordTokenizer.Load(folder.TokenizerFile);
            if (tokenizer.VocabSize != config.Model.TextVocabSize)
            {
                model.Dispose();
                throw new ConfigException($"tokenizer '{folder.TokenizerFile}': {tokenizer.VocabSize} entries, but the checkpoint's model has TextVocabSize={config.Model.TextVocabSize}");
            }
        }
        return new TrainedModel(model, config, checkpoint.Step, path, run, tokenizer);
    }

    public void Dispose() => Model.Dispose();
}
