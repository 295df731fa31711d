using DiffusionLab.Diffusion;
using DiffusionLab.Pipelines;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.Sampling;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Tests.PhotoMaker;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Pipelines;

/// <summary>
/// The one sampling pipeline against the four assemblies it replaced (Fixtures/pipeline-reference.safetensors,
/// recorded at 7284085 by the RecordOldPaths test of commit "record the four old sampling assemblies"), with
/// clipping off as they had it; x̂_0 clipping for pixel models; runs without learned sigma.
/// </summary>
public class SamplingPipelineTests
{
    private static readonly Dictionary<string, Tensor> Reference = FixtureFiles.Load("pipeline-reference.safetensors");

    // Batched and one-image forward passes round differently in float32, and so do CPUs: on the Intel Xeon
    // machines of earlier sessions the paths agreed below 1e-4; an AMD EPYC's kernels give 1.1e-4 (class DDPM, 100 noisy steps) and
    // 1.7e-4 (text DDIM). The error is the largest pixel difference over the largest pixel; 1e-3 of images in [−1, 1] is
    // an eighth of one grey level (2/255), far below what any change of path gives.
    private static void AssertSame(string key, Tensor actual) =>
        Assert.True(FixtureFiles.RelativeError(actual, Reference[key]) < 1e-3, $"{key}: relative error {FixtureFiles.RelativeError(actual, Reference[key]):E2}");

    /// <summary>x_T as the old one-generator-per-call path drew it for a whole batch.</summary>
    private static Tensor OldBatchStart(long seed, long[] shape)
    {
        using var g = new Generator((ulong)seed, CPU);
        return randn(shape, generator: g);
    }

    [Fact]
    public void ClassConditionalDdpmWithGuidanceGivesTheOldImagesPerSeed()
    {
        // The old path drew one batch from one generator; recorded one image per call, its seed is the image's seed,
        // which is the pipeline's convention, so the comparison needs no fed noise (DDPM adds noise at every step).
        var config = ReferenceModels.ClassConfig("Sampling.ClipDenoised=false");
        using var net = ReferenceModels.Network(config.Model, 1);
        AssertSame("class_ddpm", new SamplingPipeline(net, config).Generate(arange(4, dtype: ScalarType.Int64), 100));
    }

    [Fact]
    public void ClassConditionalDdimBatchGivesTheOldImagesFromTheSameStart()
    {
        var config = ReferenceModels.ClassConfig("Sampling.ClipDenoised=false", "Sampling.Sampler=ddim", "Sampling.Respacing=ddim6");
        using var net = ReferenceModels.Network(config.Model, 1);
        var m = config.Model;
        using var conditioning = DenoiserConditioning.ClassBalanced(net, 4);
        AssertSame("class_ddim_batch", new SamplingPipeline(net, config).Generate(conditioning, OldBatchStart(100, [4, m.InChannels, m.InputSize, m.InputSize]), null));
    }

    [Fact]
    public void TextToImageGivesTheOldImagesFromTheSameStart()
    {
        var config = ReferenceModels.TextConfig("Sampling.ClipDenoised=false");
        using var net = ReferenceModels.Network(config.Model, 2);
        var m = config.Model;
        using var ids = ReferenceModels.Tokenizer.EncodeBatch(ReferenceModels.Prompts, m.TextMaxLength);
        using var conditioning = new DenoiserConditioning(net, ids);
        AssertSame("text_ddim_batch", new SamplingPipeline(net, config).Generate(conditioning, OldBatchStart(200, [2, m.InChannels, m.InputSize, m.InputSize]), null));
    }

    [Fact]
    public void PhotoMakerGivesTheOldImages()
    {
        // The old PhotoMaker path already drew x_T per seed and DDIM η = 0 adds no noise: same seeds, same images.
        using var pipeline = new PhotoMakerPipeline(PhotoMakerFixtures.Model(), PhotoMakerFixtures.Tokenizer, PhotoMakerFixtures.Betas, ownsModel: true);
        using var refs = new ReferenceStack(PhotoMakerFixtures.Images(2, 1));
        var sampling = new PhotoMakerSampling { Steps = 3, ClipDenoised = false };
        AssertSame("photomaker", pipeline.Generate("a photo of a woman img wearing a crown", refs, [3, 4], sampling));
    }

    [Fact]
    public void StoryGivesTheOldPanels()
    {
        using var net = ReferenceModels.StoryNetwork();
        var sampling = new SamplingSection { Sampler = SamplerKind.Ddim, Respacing = "ddim3", GuidanceScale = 3.0, ClipDenoised = false };
        var sampler = new ConsistentStorySampler(new SamplingPipeline(net, BetaSchedule.Linear(1000), sampling), ReferenceModels.StoryAttention);
        var story = StoryParser.Parse(ReferenceModels.StoryText, "reference.story");
        using (var generated = new StoryPipeline(sampler, ReferenceModels.Tokenizer, 16).Generate(story, new StoryRenderOptions { ReferencePanels = 2, Seed = 7 }))
            AssertSame("story", generated.Panels);
        using var ids = ReferenceModels.Tokenizer.EncodeBatch(story.Panels.Select(p => p.Prompt).ToList(), 16);
        AssertSame("story_together", sampler.GenerateTogether(ids, [11, 12, 13, 14]));
    }

    [Fact]
    public void AnImageDependsOnItsSeedNotOnItsBatch()
    {
        var config = ReferenceModels.ClassConfig();
        using var net = ReferenceModels.Network(config.Model, 1);
        var pipeline = new SamplingPipeline(net, config);
        using var batch = pipeline.Generate(tensor(new long[] { 5, 6, 7 }), 40);
        using var alone = pipeline.Generate(tensor(new long[] { 6 }), 41);
        Assert.True(alone[0].allclose(batch[1], rtol: 1e-4, atol: 1e-5), "image 1 of seeds 40.. equals seed 41 alone");
        Assert.False(batch[0].allclose(batch[1], rtol: 1e-4, atol: 1e-5));
    }
}
