using System.Text.Json;
using DiffusionLab.Core;

namespace DiffusionLab.Runs;

/// <summary>
/// One folder of the model zoo (<see cref="ModelZoo"/>), loadable as <c>zoo:NAME</c>: model.safetensors
/// (<see cref="ShippedWeights"/>), config.json (the resolved config, the same as in the weights' metadata, for reading),
/// tokenizer.json for a text-to-image model (and a PhotoMaker stage's base carries its own), provenance.json
/// (<see cref="ModelProvenance"/>).
/// </summary>
public sealed record ShippedModel(string Name, string Directory)
{
    public string ZooName => ModelZoo.Prefix + Name;
    public string WeightsFile => Path.Combine(Directory, "model.safetensors");
    public string ConfigFile => Path.Combine(Directory, "config.json");
    public string TokenizerFile => Path.Combine(Directory, "tokenizer.json");
    public string ProvenanceFile => Path.Combine(Directory, "provenance.json");

    /// <summary>Bytes of every file in the folder.</summary>
    public long SizeBytes => new DirectoryInfo(Directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    /// <summary>The weights' metadata (header only).</summary>
    public ShippedWeights Header() => ShippedWeights.Header(WeightsFile);

    /// <summary>provenance.json, or a ConfigException naming it when it is missing or unreadable.</summary>
    public ModelProvenance Provenance()
    {
        if (!File.Exists(ProvenanceFile)) throw new ConfigException($"shipped model '{ZooName}': {ProvenanceFile} missing");
        try { return JsonSerializer.Deserialize<ModelProvenance>(File.ReadAllText(ProvenanceFile), TrainConfigLoader.JsonOptions)!; }
        catch (JsonException e) { throw new ConfigException($"shipped model '{ZooName}': {ProvenanceFile}: {e.Message}"); }
    }
}
