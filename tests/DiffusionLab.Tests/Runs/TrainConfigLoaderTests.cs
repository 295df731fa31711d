using System.Text.Json.Nodes;
using DiffusionLab.Core;
using DiffusionLab.Modules;
using DiffusionLab.Runs;

namespace DiffusionLab.Tests.Runs;

public class TrainConfigLoaderTests
{
    private static TrainConfig FromText(string json, params string[] overrides) =>
        TrainConfigLoader.FromJson(JsonNode.Parse(json)!.AsObject(), "test.json", overrides);

    [Fact]
    public void PresetFillsTheModelAndKeysOverrideIt()
    {
        var c = FromText("""{"Model": {"Preset": "MDTv2-S/2", "DecodeLayer": 6}}""");
        Assert.Equal(Architecture.MdtV2, c.Model.Architecture);
        Assert.Equal(384, c.Model.HiddenSize);
        Assert.Equal(6, c.Model.DecodeLayer);
        Assert.Equal("MDTv2-S/2", c.ModelPreset);
    }

    [Fact]
    public void SetOverridesNestedKeysWithTypedValues()
    {
        var c = FromText("""{"Model": {"Preset": "DiT-Tiny/4"}}""", "Training.Steps=7", "Optimizer.Name=adamw", "Model.Depth=3", "Diffusion.MinSnrGamma=null");
        Assert.Equal(7, c.Training.Steps);
        Assert.Equal("adamw", c.Optimizer.Name);
        Assert.Equal(3, c.Model.Depth);
        Assert.Null(c.Diffusion.MinSnrGamma);
    }

    [Fact]
    public void UnknownKeyIsNamed()
    {
        var e = Assert.Throws<ConfigException>(() => FromText("""{"Model": {"Preset": "DiT-S/2"}, "Training": {"Stepz": 3}}"""));
        Assert.Contains("test.json", e.Message);
        Assert.Contains("unknown key 'Training.Stepz'", e.Message);
        var m = Assert.Throws<ConfigException>(() => FromText("""{"Model": {"Preset": "DiT-S/2", "Hidden": 3}}"""));
        Assert.Contains("unknown key 'Model.Hidden'", m.Message);
    }

    [Fact]
    public void WrongTypeIsNamedWithTheExpectedType()
    {
        var e = Assert.Throws<ConfigException>(() => FromText("""{"Model": {"Preset": "DiT-S/2"}, "Training": {"Steps": "many"}}"""));
        Assert.Contains("'Training.Steps'", e.Message);
        Assert.Contains("Int32", e.Message);
        var m = Assert.Throws<ConfigException>(() => FromText("""{"Model": {"Preset": "DiT-S/2", "Depth": true}}"""));
        Assert.Contains("'Model.Depth'", m.Message);
    }

    [Fact]
    public void OutOfRangeValuesAndUnknownPresetsAreNamed()
    {
        Assert.Contains("'Training.BatchSize'", Assert.Throws<ConfigException>(() => FromText("""{"Model": {"Preset": "DiT-S/2"}, "Training": {"BatchSize": 0}}""")).Message);
        Assert.Contains("Model.DecodeLayer", Assert.Throws<ConfigException>(() => FromText("""{"Model": {"Preset": "MDTv2-S/2", "DecodeLayer": 5}}""")).Message);
        Assert.Contains("unknown preset 'MDT-XXL/2'", Assert.Throws<ConfigException>(() => FromText("""{"Model": {"Preset": "MDT-XXL/2"}}""")).Message);
        Assert.Contains("'Data.Folder'", Assert.Throws<ConfigException>(() => FromText("""{"Model": {"Preset": "DiT-S/2"}, "Data": {"Dataset": "folder"}}""")).Message);
    }

    [Fact]
    public void ResolvedJsonReadsBackToTheSameConfig()
    {
        var c = FromText("""{"Model": {"Preset": "MDT-Tiny/4", "RelativePositionBias": false, "PositionEmbedding": "None"}, "Training": {"Steps": 11}}""");
        var again = TrainConfigLoader.FromJson(TrainConfigLoader.ToJson(c), "resolved");
        Assert.Equal(c, again);
        Assert.Equal(TrainConfigLoader.ToJson(c).ToJsonString(), TrainConfigLoader.ToJson(again).ToJsonString());
        Assert.Equal(PositionEmbeddingKind.None, again.Model.PositionEmbedding);
    }

    [Fact]
    public void CommentsAndMissingFilesAreHandled()
    {
        string path = Path.Combine(Path.GetTempPath(), $"cfg-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\n // a comment\n \"Model\": {\"Preset\": \"DiT-Tiny/4\"},\n}");
        Assert.Equal("DiT-Tiny/4", TrainConfigLoader.Load(path).ModelPreset);
        File.WriteAllText(path, "{ \"Model\": ");
        Assert.Contains("not valid JSON", Assert.Throws<ConfigException>(() => TrainConfigLoader.Load(path)).Message);
        File.Delete(path);
        Assert.Contains("file not found", Assert.Throws<ConfigException>(() => TrainConfigLoader.Load(path)).Message);
    }
}
