using System.Text.Json;
using DiffusionLab.Core;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Runs;

/// <summary>
/// The weights a fine-tune starts from (Training.InitialWeights): a run folder, checkpoint or shipped model whose
/// network is this run's network, key for key, and whose tokenizer, for a text model, is this run's data's. Everything
/// is checked before a run folder exists, and every refusal is one line naming the key.
/// </summary>
public static class InitialWeights
{
    private const string Key = "key 'Training.InitialWeights'";

    /// <summary>The state dict (a run's EMA weights) of <c>config.Training.InitialWeights</c>, on the CPU; the caller disposes the tensors.</summary>
    public static Dictionary<string, Tensor> Load(TrainConfig config, WordTokenizer? dataTokenizer)
    {
        string source = config.Training.InitialWeights ?? throw new ArgumentException("Training.InitialWeights is not set");
        TrainedModel trained;
        try { trained = TrainedModel.Load(source); }
        catch (ConfigException e) { throw new ConfigException($"{Key}: {e.Message}"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new ConfigException($"{Key}: '{source}' could not be read as a checkpoint: {e.Message}");
        }
        using (trained)
        {
            if (FirstDifference(trained.Config.Model, config.Model) is { } key)
                throw new ConfigException($"{Key}: '{source}' is a {trained.Config.ModelPreset} with a different Model.{key}; a fine-tune keeps its starting network (Model must equal its config)");
            if (dataTokenizer is not null && !dataTokenizer.Equals(trained.Tokenizer))
                throw new ConfigException($"{Key}: '{source}' encodes prompts with another tokenizer than this run's data; fine-tune it on the captions it was trained with");
            return trained.Model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().cpu().clone());
        }
    }

    /// <summary>The first model key whose value differs, or null when the two networks are the same.</summary>
    private static string? FirstDifference(Modules.DenoiserConfig from, Modules.DenoiserConfig to)
    {
        var a = JsonSerializer.SerializeToNode(from, TrainConfigLoader.JsonOptions)!.AsObject();
        var b = JsonSerializer.SerializeToNode(to, TrainConfigLoader.JsonOptions)!.AsObject();
        foreach (var (key, value) in b)
            if (!System.Text.Json.Nodes.JsonNode.DeepEquals(a[key], value)) return key;
        return null;
    }
}
