using DiffusionLab.Imaging;
using DiffusionLab.PhotoMaker;
using TorchSharp;
using static TorchSharp.torch;
using static DiffusionLab.Tests.PhotoMaker.PhotoMakerFixtures;

namespace DiffusionLab.Tests.PhotoMaker;

/// <summary>PhotoMakerPipeline: one-line errors for bad prompts and references; generation per seed with delayed conditioning.</summary>
public class PipelineTests
{
    private static PhotoMakerPipeline Pipeline() => new(Model(), Tokenizer, Betas, ownsModel: true);

    private static readonly PhotoMakerSampling ThreeSteps = new() { Steps = 3 };

    [Fact]
    public void BadPromptsAndReferencesAreOneLineErrorsNamingTheProblem()
    {
        using var pipeline = Pipeline();
        using var refs = new ReferenceStack(Images(2, 1));
        string Error<T>(string prompt) where T : Exception => Assert.Throws<T>(() => pipeline.Generate(prompt, refs, [1], ThreeSteps)).Message;
        Assert.Contains("no trigger word 'img'", Error<ArgumentException>("a photo of a man wearing a crown"));
        Assert.Contains("more than one trigger word 'img'", Error<ArgumentException>("a man img and a woman img"));
        Assert.Contains("the class word 'dragon'", Error<ArgumentException>("a photo of a dragon img"));
        Assert.Contains("'zebra'", Error<ArgumentException>("a photo of a man img riding a zebra"));
        Assert.All(new[] { Error<ArgumentException>("a photo of a dragon img") }, m => Assert.DoesNotContain('\n', m));

        Assert.Contains("no reference images", Assert.Throws<ArgumentException>(() => new ReferenceStack(zeros(0, 3, 16, 16))).Message);
        Assert.Contains("no reference images", Assert.Throws<ArgumentException>(() => ReferenceStack.Mix()).Message);
        Assert.Contains("no reference images", Assert.Throws<ArgumentException>(() => PhotoMakerPipeline.LoadReferences([], 16)).Message);

        string dir = Path.Combine(Path.GetTempPath(), "difflab-tests", $"pm-refs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string broken = Path.Combine(dir, "broken.png"), missing = Path.Combine(dir, "missing.png");
        File.WriteAllText(broken, "not an image");
        Assert.Contains(broken, Assert.Throws<InvalidDataException>(() => PhotoMakerPipeline.LoadReferences([broken], 16)).Message);
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => PhotoMakerPipeline.LoadReferences([missing], 16)).Message);
    }

    [Fact]
    public void OneImagePerSeedWithTheIdTokensFromStartMergeStepOn()
    {
        using var pipeline = Pipeline();
        using var refs = new ReferenceStack(Images(2, 1));
        var told = new List<(int, bool)>();
        var images = pipeline.Generate("a photo of a woman img wearing a crown", refs, [3, 4], ThreeSteps, (i, id) => told.Add((i, id)));
        Assert.Equal(new long[] { 2, 3, 16, 16 }, images.shape);
        Assert.True((images >= -1).all().item<bool>() && (images <= 1).all().item<bool>());
        Assert.Equal([(0, false), (1, true), (2, true)], told);   // int(0.2 · 3) = 0: step 0 text-only
        Assert.False(images[0].allclose(images[1]), "two seeds, two images");
        var alone = pipeline.Generate("a photo of a woman img wearing a crown", refs, [4], ThreeSteps);
        Assert.True(alone[0].allclose(images[1], rtol: 1e-4, atol: 1e-4), "an image depends on its seed, not on the batch");

        using var weighted = new ReferenceStack(refs.Images, [3.0, 1.0]);
        Assert.False(pipeline.Generate("a photo of a woman img wearing a crown", weighted, [4], ThreeSteps)[0].allclose(alone[0]), "a coefficient on one image changes the result");

        string dir = Path.Combine(Path.GetTempPath(), "difflab-tests", $"pm-files-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var files = Enumerable.Range(0, 2).Select(i => Path.Combine(dir, $"ref{i}.png")).ToList();
        for (int i = 0; i < 2; i++) File.WriteAllBytes(files[i], TensorImages.ToPng(refs.Images[i]));
        using var fromFiles = PhotoMakerPipeline.LoadReferences(files, 16);
        Assert.True(fromFiles.Images.allclose(refs.Images, atol: 1.0 / 127.5 + 1e-6), "PNG round trip within one grey level");
        Assert.Equal(new long[] { 1, 3, 16, 16 }, pipeline.Generate("a photo of a woman img", files, [4], ThreeSteps).shape);
    }
}
