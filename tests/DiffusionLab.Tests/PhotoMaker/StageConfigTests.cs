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
        Assert.Contains("unknown key 'Stpes'", Assert.Throws<ConfigException>(() => DreamBoothConfig.Load(Study("dreambooth.json"), ["Stpes=3"])).Message);

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

        var overridden = PhotoMakerConfig.Load(file, ["BaseCheckpoint=elsewhere", "Sampling.Steps=7", "Steps=5", "Sampling.Trigger=42"]);
        Assert.Equal(Path.GetFullPath("elsewhere"), overridden.BaseCheckpoint);
        Assert.Equal(7, overridden.Sampling.Steps);
        Assert.Equal(5, overridden.Steps);
        Assert.Equal("42", overridden.Sampling.Trigger); // a string key keeps a numeric-looking value a string

        Assert.Contains("unknown key 'Stpes'", Assert.Throws<ConfigException>(() => PhotoMakerConfig.Load(file, ["Stpes=5"])).Message);
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
