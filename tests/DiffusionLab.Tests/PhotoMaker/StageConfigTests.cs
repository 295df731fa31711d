using DiffusionLab.Core;
using DiffusionLab.Data.World;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Tests.Notebooks;
using DiffusionLab.Tests.Training;

namespace DiffusionLab.Tests.PhotoMaker;

/// <summary>Stage config files: the marker, the BaseCheckpoint path rule, overrides, and the study's configs.</summary>
public class StageConfigTests
{
    private static string Study(string file) => Path.Combine(NotebookRuns.RepositoryRoot(), "experiments", "photomaker-characterworld", file);

    [Fact]
    public void TheStudyConfigsLoadAndDifferOnlyInTheirBaselineKey()
    {
        string root = NotebookRuns.RepositoryRoot();
        var stacked = PhotoMakerConfig.Load(Study("photomaker.json"));
        // In-repository relative paths are resolved against the repository root, wherever the config sits.
        Assert.Equal(Path.Combine(root, "runs", "t2i-characterworld", "full", "mdtv2-t2i-tiny-seed0"), stacked.BaseCheckpoint);
        Assert.Equal(StageConfigFile.PhotoMaker, StageConfigFile.StageOf(Study("photomaker.json")));
        Assert.Equal(IdEmbeddingMode.Stacked, stacked.IdEmbedding);
        Assert.Equal(ReferenceSource.OtherImages, stacked.References);

        var average = PhotoMakerConfig.Load(Study("average.json"));
        Assert.Equal(IdEmbeddingMode.Average, average.IdEmbedding);
        Assert.Equal(stacked, average with { IdEmbedding = IdEmbeddingMode.Stacked });
        var single = PhotoMakerConfig.Load(Study("single-image.json"));
        Assert.Equal(ReferenceSource.SingleImage, single.References);
        Assert.Equal(stacked, single with { References = ReferenceSource.OtherImages });

        var dreambooth = DreamBoothConfig.Load(Study("dreambooth.json"));
        Assert.Equal(StageConfigFile.DreamBooth, StageConfigFile.StageOf(Study("dreambooth.json")));
        Assert.Equal(stacked.BaseCheckpoint, dreambooth.BaseCheckpoint);
        Assert.Empty(dreambooth.Problems());
        Assert.Contains("unknown key 'DreamBooth.Stpes'", Assert.Throws<ConfigException>(() => DreamBoothConfig.Load(Study("dreambooth.json"), ["DreamBooth.Stpes=3"])).Message);

        Assert.Null(StageConfigFile.StageOf(Path.Combine(root, "experiments", "t2i-characterworld", "mdtv2-t2i-tiny.json")));
    }

    [Fact]
    public void OutsideARepositoryPathsAreRelativeToTheConfigAndOverridesToTheCurrentDirectory()
    {
        string dir = TinyRuns.TempDir("stage-config");
        string file = Path.Combine(dir, "pm.json");
        File.WriteAllText(file, TinyPhotoMakerRuns.ConfigFileJson("base/run"));
        Assert.Equal(dir, StageConfigFile.BaseFolder(file));
        Assert.Equal(Path.Combine(dir, "base", "run"), PhotoMakerConfig.Load(file).BaseCheckpoint);

        var overridden = PhotoMakerConfig.Load(file, ["BaseCheckpoint=elsewhere", "Sampling.Steps=7", "Training.Steps=5", "Sampling.Trigger=42"]);
        Assert.Equal(Path.GetFullPath("elsewhere"), overridden.BaseCheckpoint);
        Assert.Equal(7, overridden.Sampling.Steps);
        Assert.Equal(5, overridden.Steps);
        Assert.Equal("42", overridden.Sampling.Trigger); // a string key keeps a numeric-looking value a string
        // What a run folder stores is the same dialect, and reads back to an equal config; a config stored flat before it still reads.
        var stored = System.Text.Json.Nodes.JsonNode.Parse(overridden.ToJson())!.AsObject();
        Assert.Equal(5, stored["Training"]!["Steps"]!.GetValue<int>());
        Assert.Equal(2, stored["PhotoMaker"]!["LoraRank"]!.GetValue<int>());
        Assert.Null(stored["Steps"]);
        Assert.Equal(overridden with { Betas = null }, PhotoMakerConfig.FromJson(overridden.ToJson(), "stored") with { Betas = null });
        var flat = System.Text.Json.JsonSerializer.Serialize(overridden, DiffusionLab.Runs.TrainConfigLoader.JsonOptions);
        Assert.Equal(overridden with { Betas = null }, PhotoMakerConfig.FromJson(flat, "stored before the dialect") with { Betas = null });

        Assert.Contains("unknown key 'Training.Stpes'", Assert.Throws<ConfigException>(() => PhotoMakerConfig.Load(file, ["Training.Stpes=5"])).Message);
        // One dialect: a key outside its section is named with where it belongs.
        Assert.Contains("key 'Steps': belongs in section 'Training' ('Training.Steps')", Assert.Throws<ConfigException>(() => PhotoMakerConfig.Load(file, ["Steps=5"])).Message);
        Assert.Contains("key 'Training.LoraRank': belongs in section 'PhotoMaker' ('PhotoMaker.LoraRank')",
            Assert.Throws<ConfigException>(() => PhotoMakerConfig.Load(file, ["Training.LoraRank=4"])).Message);
        Assert.Contains("key 'Stage'", Assert.Throws<ConfigException>(() => PhotoMakerConfig.Load(file, ["Stage=dreambooth"])).Message);
        File.WriteAllText(file, """{ "Stage": 3 }""");
        Assert.Contains("key 'Stage'", Assert.Throws<ConfigException>(() => StageConfigFile.StageOf(file)).Message);
    }

    [Fact]
    public void DegradationPresetsAndImageStacks()
    {
        Assert.Equal(new ImageDegradation(BlurSigma: 1.5), ImageDegradation.Preset("blur"));
        Assert.Equal(4, ImageDegradation.Preset("lowres").DownsampleFactor);
        Assert.Contains("fog", Assert.Throws<ArgumentException>(() => ImageDegradation.Preset("fog")).Message);
        using var world = new CharacterWorld(new CharacterWorldConfig { ImageSize = 16, TrainIdentities = 2, HeldOutIdentities = 1 });
        using var batch = CharacterImage.Stack([world.Render(2, 0), world.Render(2, 1)]);
        Assert.Equal(new long[] { 2, 3, 16, 16 }, batch.shape);
    }
}
