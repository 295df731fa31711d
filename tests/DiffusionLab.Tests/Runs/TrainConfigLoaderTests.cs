using System.Text.Json.Nodes;
using DiffusionLab.Core;
using DiffusionLab.Modules;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;

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
        Assert.Equal(OptimizerKind.AdamW, c.Optimizer.Name);
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
    public void SetTakesAClosedChoiceAsABareWord()
    {
        var c = FromText("""{"Model": {"Preset": "DiT-Tiny/4"}}""", "Data.Dataset=folder", "Data.Folder=imgs", "Training.Precision=bf16",
            "Sampling.Sampler=ddim", "Sampling.GuidedChannels=first3");
        Assert.Equal(DatasetKind.Folder, c.Data.Dataset);
        Assert.Equal(TrainingPrecision.Bf16, c.Training.Precision);
        Assert.Equal(SamplerKind.Ddim, c.Sampling.Sampler);
        Assert.Equal(GuidedChannels.FirstThree, c.Sampling.GuidedChannels);
        Assert.Equal("config 'test.json': key 'Sampling.GuidedChannels': '3', expected \"all\" or \"first3\"",
            Assert.Throws<ConfigException>(() => FromText("""{"Model": {"Preset": "DiT-Tiny/4"}}""", "Sampling.GuidedChannels=3")).Message);
    }

    /// <summary>A closed choice reads only its words, exactly (no other case, no numbers), and a bad one is one line naming the key and the words.</summary>
    [Theory]
    [InlineData("Data", "Dataset", "\"mnist\"", "key 'Data.Dataset': 'mnist', expected \"mnist10k\", \"folder\", \"characterworld\" or \"captions\"")]
    [InlineData("Optimizer", "Name", "\"adam\"", "key 'Optimizer.Name': 'adam', expected \"adan\" or \"adamw\"")]
    [InlineData("Training", "Precision", "\"fp16\"", "key 'Training.Precision': 'fp16', expected \"fp32\" or \"bf16\"")]
    [InlineData("Sampling", "Sampler", "\"DDIM\"", "key 'Sampling.Sampler': 'DDIM', expected \"ddpm\" or \"ddim\"")]
    [InlineData("Sampling", "GuidedChannels", "\"FirstThree\"", "key 'Sampling.GuidedChannels': 'FirstThree', expected \"all\" or \"first3\"")]
    [InlineData("Sampling", "GuidedChannels", "1", "key 'Sampling.GuidedChannels': 1, expected \"all\" or \"first3\"")]
    [InlineData("Sampling", "Sampler", "null", "key 'Sampling.Sampler': null, expected \"ddpm\" or \"ddim\"")]
    public void ABadChoiceNamesTheKeyAndTheWords(string section, string key, string value, string message)
    {
        var e = Assert.Throws<ConfigException>(() => FromText($$$"""{"Model": {"Preset": "DiT-Tiny/4"}, "{{{section}}}": {"{{{key}}}": {{{value}}}}}"""));
        Assert.Equal($"config 'test.json': {message}", e.Message);
        if (!value.StartsWith('"')) return; // --set reads a choice's value as a word: 1 is '1' there
        var set = Assert.Throws<ConfigException>(() => FromText("""{"Model": {"Preset": "DiT-Tiny/4"}}""", $"{section}.{key}={value.Trim('"')}"));
        Assert.Equal($"config 'test.json': {message}", set.Message);
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

    /// <summary>
    /// The resolved config (a run folder's config.json, a checkpoint's config, what a resume compares) is written with the
    /// same lowercase words users write; the expected text is what the loader wrote while these keys were strings.
    /// </summary>
    [Theory]
    [InlineData("""{"Model": {"Preset": "DiT-Tiny/4"}, "Data": {"Dataset": "folder", "Folder": "imgs"}, "Optimizer": {"Name": "adamw"}, "Training": {"Precision": "bf16"}, "Sampling": {"Sampler": "ddim", "GuidedChannels": "first3"}}""", 1)]
    [InlineData("""{"Model": {"Preset": "MDTv2-T2I-Tiny/4", "TextVocabSize": 40}, "Data": {"Dataset": "captions", "Folder": "imgs"}}""", 2)]
    [InlineData("""{"Model": {"Preset": "MDTv2-T2I-Tiny/4", "TextVocabSize": 40}, "Data": {"Dataset": "characterworld"}, "Optimizer": {"Name": "adan"}, "Training": {"Precision": "fp32"}, "Sampling": {"Sampler": "ddpm", "GuidedChannels": "all"}}""", 0)]
    public void ClosedChoicesAreWrittenAsUsersWriteThem(string json, int expected)
    {
        string[][] sections =
        [
            [
                "{\"Dataset\":\"characterworld\",\"Folder\":null,\"WorldSeed\":0,\"WorldIdentities\":2000,\"WorldHeldOutIdentities\":200,\"ImagesPerIdentity\":64,\"Cache\":null}",
                "{\"Name\":\"adan\",\"LearningRate\":0.0003,\"Betas\":null,\"Eps\":1E-08,\"WeightDecay\":0,\"GradClip\":1}",
                "{\"Steps\":400000,\"BatchSize\":256,\"EmaDecay\":0.9999,\"EmaWarmup\":false,\"Seed\":0,\"Precision\":\"fp32\",\"LogEvery\":100,\"SampleEvery\":10000,\"CheckpointEvery\":10000,\"EvaluateEvery\":0,\"EvaluateAt\":null,\"InitialWeights\":null}",
                "{\"Sampler\":\"ddpm\",\"Respacing\":\"250\",\"Eta\":0,\"GuidanceScale\":1,\"GuidancePower\":null,\"GuidedChannels\":\"all\",\"ClipDenoised\":true,\"GridSamples\":64,\"UseEma\":true}",
            ],
            [
                "{\"Dataset\":\"folder\",\"Folder\":\"imgs\",\"WorldSeed\":0,\"WorldIdentities\":2000,\"WorldHeldOutIdentities\":200,\"ImagesPerIdentity\":64,\"Cache\":null}",
                "{\"Name\":\"adamw\",\"LearningRate\":0.0003,\"Betas\":null,\"Eps\":1E-08,\"WeightDecay\":0,\"GradClip\":1}",
                "{\"Steps\":400000,\"BatchSize\":256,\"EmaDecay\":0.9999,\"EmaWarmup\":false,\"Seed\":0,\"Precision\":\"bf16\",\"LogEvery\":100,\"SampleEvery\":10000,\"CheckpointEvery\":10000,\"EvaluateEvery\":0,\"EvaluateAt\":null,\"InitialWeights\":null}",
                "{\"Sampler\":\"ddim\",\"Respacing\":\"250\",\"Eta\":0,\"GuidanceScale\":1,\"GuidancePower\":null,\"GuidedChannels\":\"first3\",\"ClipDenoised\":true,\"GridSamples\":64,\"UseEma\":true}",
            ],
            [
                "{\"Dataset\":\"captions\",\"Folder\":\"imgs\",\"WorldSeed\":0,\"WorldIdentities\":2000,\"WorldHeldOutIdentities\":200,\"ImagesPerIdentity\":64,\"Cache\":null}",
                "{\"Name\":\"adan\",\"LearningRate\":0.0003,\"Betas\":null,\"Eps\":1E-08,\"WeightDecay\":0,\"GradClip\":1}",
                "{\"Steps\":400000,\"BatchSize\":256,\"EmaDecay\":0.9999,\"EmaWarmup\":false,\"Seed\":0,\"Precision\":\"fp32\",\"LogEvery\":100,\"SampleEvery\":10000,\"CheckpointEvery\":10000,\"EvaluateEvery\":0,\"EvaluateAt\":null,\"InitialWeights\":null}",
                "{\"Sampler\":\"ddpm\",\"Respacing\":\"250\",\"Eta\":0,\"GuidanceScale\":1,\"GuidancePower\":null,\"GuidedChannels\":\"all\",\"ClipDenoised\":true,\"GridSamples\":64,\"UseEma\":true}",
            ],
        ];
        var written = TrainConfigLoader.ToJson(FromText(json));
        string[] keys = ["Data", "Optimizer", "Training", "Sampling"];
        Assert.Equal(sections[expected], keys.Select(k => written[k]!.ToJsonString()));
        Assert.Equal(written.ToJsonString(), TrainConfigLoader.ToJson(TrainConfigLoader.FromJson(written, "resolved")).ToJsonString());
    }

    /// <summary>An old run folder's config.json loads, and every value it holds is written back as it was.</summary>
    [Theory]
    [InlineData("dit")]
    [InlineData("mdt")]
    [InlineData("mdtv2")]
    public void AnOldRunFoldersConfigIsWrittenBackWithTheSameValues(string run)
    {
        string path = Path.Combine(Notebooks.NotebookRuns.RepositoryRoot(), "results", "foundation-smoke", run, "config.json");
        var file = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var written = TrainConfigLoader.ToJson(TrainConfigLoader.Load(path));
        foreach (var (section, keys) in file)
            foreach (var (key, value) in keys!.AsObject())
                Assert.True(JsonNode.DeepEquals(value, written[section]![key]), $"{section}.{key}: {value?.ToJsonString()} written as {written[section]![key]?.ToJsonString()}");
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
