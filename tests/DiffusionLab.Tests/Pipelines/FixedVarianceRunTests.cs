using DiffusionLab.Mdt;
using DiffusionLab.Pipelines;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Tests.Cli;
using DiffusionLab.Tests.PhotoMaker;
using DiffusionLab.Tests.Training;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Pipelines;

/// <summary>
/// A network trained with LearnSigma = false outputs ε alone (C channels, fixed variance): every path that samples a
/// run must read that from the network, not assume learned sigma (two old assemblies did and split ε in half).
/// </summary>
public class FixedVarianceRunTests
{
    [Fact]
    public void AClassRunWithoutLearnedSigmaSamplesInTrainingSampleAndBench()
    {
        var config = TinyRuns.Config("MDTv2-Tiny/4", 2, "Model.LearnSigma=false", "Sampling.Sampler=ddpm", "Sampling.Respacing=4", "Sampling.GuidanceScale=2");
        string dir = TinyRuns.TempDir("fixed-variance");
        using (var trainer = new DenoiserTraining(config, dir, CPU, TinyRuns.Quiet(config)))
            trainer.Train();   // the last step writes a sample grid and evaluates (FD on generated images)
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir, "samples")));

        using (var trained = TrainedModel.Load(dir))
        {
            Assert.False(trained.Config.Model.LearnSigma);
            using var images = new SamplingPipeline(trained.Model, trained.Config).Generate(arange(3, dtype: ScalarType.Int64), 0);
            Assert.Equal(new long[] { 3, 1, config.Model.InputSize, config.Model.InputSize }, images.shape);
            Assert.True(images.isfinite().all().item<bool>());
        }
        var (code, _, err) = CliHarness.Difflab("sample", dir, "--count", "2", "--out", Path.Combine(dir, "cli.png"));
        Assert.True(code == 0, err);
        (code, _, err) = CliHarness.Difflab("bench", "sample", dir, "--batch", "2", "--steps", "2", "--warmup", "1");
        Assert.True(code == 0, err);
    }

    [Fact]
    public void TextPathsWithoutLearnedSigmaSample()
    {
        var backboneConfig = PhotoMakerFixtures.BackboneConfig with { LearnSigma = false };
        var net = new MaskedDiffusionTransformer(backboneConfig);
        using (var g = new Generator(3, CPU))
        using (no_grad()) foreach (var p in net.parameters()) p.normal_(0, 0.1, g);
        net.eval();
        var config = TinyRuns.Config("MDTv2-T2I-Tiny/4", 2, "Data.Dataset=characterworld", "Model.HiddenSize=64") with { Model = backboneConfig };
        using var trained = new TrainedModel(net, config, 0, "in-memory", null, PhotoMakerFixtures.Tokenizer);

        var story = StoryParser.Parse("[Lily] a girl wearing a crown\n\n[Lily] smiling , on the beach #one\n[Lily] sad , in the city #two\n", "fixed.story");
        using (var generated = StoryPipeline.FromRun(trained, 2, 3.0, new ConsistentAttentionConfig()).Generate(story, new StoryRenderOptions { ReferencePanels = 1 }))
            Assert.True(generated.Panels.isfinite().all().item<bool>());

        using var g2 = new Generator(7, CPU);
        using var photoMaker = new PhotoMakerPipeline(new PhotoMakerModel(net, PhotoMakerFixtures.Config, g2), PhotoMakerFixtures.Tokenizer, PhotoMakerFixtures.Betas);
        using var refs = new ReferenceStack(PhotoMakerFixtures.Images(2, 1));
        using var images = photoMaker.Generate("a photo of a woman img", refs, [1], new PhotoMakerSampling { Steps = 2 });
        Assert.Equal(new long[] { 1, 3, 16, 16 }, images.shape);
        Assert.True(images.isfinite().all().item<bool>());
    }
}
