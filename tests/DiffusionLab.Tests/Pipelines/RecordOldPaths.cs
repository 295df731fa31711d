using DiffusionLab.Diffusion;
using DiffusionLab.IO;
using DiffusionLab.Pipelines;
using DiffusionLab.PhotoMaker;
using DiffusionLab.StoryDiffusion;
using DiffusionLab.Tests.PhotoMaker;
using static TorchSharp.torch;

namespace DiffusionLab.Tests.Pipelines;

/// <summary>
/// Records the outputs of the four old sampling assemblies (this revision only; removed with them). Writes
/// Fixtures/pipeline-reference.safetensors in the source tree when DIFFLAB_RECORD_PIPELINE names the tests folder.
/// </summary>
public class RecordOldPaths
{
    [Fact]
    public void Record()
    {
        string? folder = Environment.GetEnvironmentVariable("DIFFLAB_RECORD_PIPELINE");
        if (folder is null) return;
        var outputs = new Dictionary<string, Tensor>();

        var cls = ReferenceModels.ClassConfig();
        using (var net = ReferenceModels.Network(cls.Model, 1))
        {
            // Batches of one: the old one-generator-per-call convention then equals one generator per image.
            outputs["class_ddpm"] = cat(Enumerable.Range(0, 4).Select(j => DenoiserSampling.Generate(net, cls, tensor(new long[] { j }), 100 + j, CPU)).ToList(), 0);
            var ddim = ReferenceModels.ClassConfig("Sampling.Sampler=ddim", "Sampling.Respacing=ddim6");
            outputs["class_ddim_batch"] = DenoiserSampling.Generate(net, ddim, arange(4, dtype: ScalarType.Int64), 100, CPU);
        }

        var text = ReferenceModels.TextConfig();
        using (var net = ReferenceModels.Network(text.Model, 2))
        {
            using var ids = ReferenceModels.Tokenizer.EncodeBatch(ReferenceModels.Prompts, text.Model.TextMaxLength);
            outputs["text_ddim_batch"] = DenoiserSampling.Generate(net, text, ids, 200, CPU);
        }

        using (var pm = new PhotoMakerPipeline(PhotoMakerFixtures.Model(), PhotoMakerFixtures.Tokenizer, PhotoMakerFixtures.Betas, learnSigma: true, ownsModel: true))
        using (var refs = new ReferenceStack(PhotoMakerFixtures.Images(2, 1)))
            outputs["photomaker"] = pm.Generate("a photo of a woman img wearing a crown", refs, [3, 4], new PhotoMakerSampling { Steps = 3 });

        using (var net = ReferenceModels.StoryNetwork())
        {
            var sampler = new ConsistentStorySampler(net, SpacedDiffusion.Create(BetaSchedule.Create("linear", 1000), "ddim3"), 3.0, ReferenceModels.StoryAttention);
            var story = StoryParser.Parse(ReferenceModels.StoryText, "reference.story");
            using var generated = new StoryPipeline(sampler, ReferenceModels.Tokenizer, 16).Generate(story, new StoryRenderOptions { ReferencePanels = 2, Seed = 7 });
            outputs["story"] = generated.Panels.clone();
            using var ids = ReferenceModels.Tokenizer.EncodeBatch(story.Panels.Select(p => p.Prompt).ToList(), 16);
            outputs["story_together"] = sampler.GenerateTogether(ids, [11, 12, 13, 14]);
        }
        SafetensorsFile.Save(Path.Combine(folder, "Fixtures", "pipeline-reference.safetensors"), outputs,
            new Dictionary<string, string> { ["recorded_at"] = "7284085", ["by"] = "tests/DiffusionLab.Tests/Pipelines/RecordOldPaths.cs" });
    }
}
