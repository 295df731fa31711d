using DiffusionLab.Core;
using DiffusionLab.Data;
using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.Mdt;
using DiffusionLab.Pipelines;
using DiffusionLab.Runs;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.StoryDiffusion;

/// <summary>
/// StoryDiffusion's second stage at inference (storydiffusion.md §4): two keyframes and a prompt → a transition clip of
/// L frames. The keyframes go through the encoder, are interpolated and (<see cref="KeyframeConditioning.Predicted"/>)
/// pass the motion predictor; the clip generator draws all frames together through THE sampling pipeline (DDIM,
/// guidance on the empty prompt without keyframes) with a <see cref="TransitionConditioning"/>. Frame i of clip b starts
/// from seed <c>seed + b·L + i</c>, so every method given the same seed starts from the same noise.
/// </summary>
public sealed class TransitionPipeline : IDisposable
{
    private readonly double[] _betas;
    private readonly bool _ownsModel;

    /// <summary>A pipeline over a model (owned when <paramref name="ownsModel"/>) with the base run's tokenizer and β schedule.</summary>
    public TransitionPipeline(MotionModel model, WordTokenizer tokenizer, double[] betas, bool ownsModel = false)
    {
        Model = model;
        Tokenizer = tokenizer;
        _betas = (double[])betas.Clone();
        _ownsModel = ownsModel;
    }

    public MotionModel Model { get; }
    public WordTokenizer Tokenizer { get; }
    /// <summary>L, the frames the model was trained on.</summary>
    public int Frames => Model.Config.Frames;
    /// <summary>Keyframe and frame side in pixels.</summary>
    public int ImageSize => Model.Backbone.Config.InputSize;
    /// <summary>The base run's config when loaded from a checkpoint, else null.</summary>
    public TrainConfig? BaseConfig { get; private init; }
    public string? CheckpointPath { get; private init; }
    public long? Step { get; private init; }

    /// <summary>
    /// Loads the latest checkpoint of a motion run folder, a motion checkpoint file or a shipped transition model
    /// (<c>zoo:NAME</c>), and the base text-to-image checkpoint it names; a text-to-image run or anything else given by mistake is a ConfigException saying so.
    /// </summary>
    public static TransitionPipeline Load(string runOrCheckpoint, Device? device = null, bool useEma = true)
    {
        string path = RunFolder.CheckpointOf(runOrCheckpoint);
        var checkpoint = MotionCheckpoint.Load(path);
        var config = checkpoint.Config(path);
        var (trained, backbone, tokenizer) = StageBase.LoadRecorded(checkpoint.BaseCheckpoint, config.BaseUseEma, device, $"motion checkpoint '{path}'");
        MotionModel model;
        using (var init = new Generator((ulong)config.Seed, CPU)) model = new MotionModel(backbone, config, init);
        try { model.LoadTrainedWeights(checkpoint.SamplingWeights(useEma), path); }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in checkpoint.Weights.Values.Concat((IEnumerable<Tensor>?)checkpoint.Ema?.Values ?? [])) t.Dispose();
        }
        model.Train(false);
        var d = trained.Config.Diffusion;
        return new TransitionPipeline(model, tokenizer, BetaSchedule.Create(d.Schedule, d.Timesteps), ownsModel: true)
        {
            BaseConfig = trained.Config,
            CheckpointPath = path,
            Step = checkpoint.Step,
        };
    }

    /// <summary>The CharacterWorld the base run trained on, at the model's image size (its held-out people: unseen by both stages).</summary>
    public CharacterWorld BaseWorld() => StageBase.World(BaseConfig, ImageSize);

    /// <summary>
    /// Two keyframe image files (<see cref="Imaging.ImageFile"/>) as (3, S, S) tensors in [−1, 1] at the model's side
    /// <paramref name="imageSize"/> (centre-cropped and resized as data sets are). Keyframes of different sizes are an
    /// ArgumentException naming both (a transition joins two frames of one shot); a missing file a FileNotFoundException.
    /// </summary>
    public static (Tensor Start, Tensor End) LoadKeyframes(string startPath, string endPath, int imageSize)
    {
        int sw, sh, ew, eh;
        using (var start = Imaging.ImageFile.Read(startPath)) (sw, sh) = (start.Width, start.Height);
        using (var end = Imaging.ImageFile.Read(endPath)) (ew, eh) = (end.Width, end.Height);
        if (sw != ew || sh != eh)
            throw new ArgumentException($"keyframes of different sizes: '{startPath}' is {sw}x{sh}, '{endPath}' is {ew}x{eh}; expected two frames of one size");
        return (ImageFolderDataset.LoadOne(startPath, imageSize, 3), ImageFolderDataset.LoadOne(endPath, imageSize, 3));
    }

    /// <summary>
    /// Clips (B, L, 3, S, S) in [−1, 1] from keyframes <paramref name="start"/> → <paramref name="end"/> (B, 3, S, S) or
    /// (3, S, S), one prompt per clip; <paramref name="frames"/> (default: the trained L) at least 2; <paramref name="mode"/>
    /// (default: the model's <see cref="MotionModel.DefaultConditioning"/>).
    /// </summary>
    public Tensor Generate(Tensor start, Tensor end, IReadOnlyList<string> prompts, long seed, ClipSampling sampling,
        KeyframeConditioning? mode = null, int? frames = null, IProgress<int>? progress = null)
    {
        int l = frames ?? Frames;
        if (l < 2) throw new ArgumentOutOfRangeException(nameof(frames), $"frames {l}: expected at least 2 (a clip runs from one keyframe to the other)");
        if (start.dim() == 3) start = start.unsqueeze(0);
        if (end.dim() == 3) end = end.unsqueeze(0);
        if (!start.shape.SequenceEqual(end.shape))
            throw new ArgumentException($"keyframes of different sizes: start [{string.Join(", ", start.shape)}], end [{string.Join(", ", end.shape)}]");
        if (start.dim() != 4 || start.shape[1] != 3 || start.shape[2] != ImageSize || start.shape[3] != ImageSize)
            throw new ArgumentException($"keyframes: expected (B, 3, {ImageSize}, {ImageSize}) RGB in [−1, 1] (the model's size), got [{string.Join(", ", start.shape)}]");
        if (prompts.Count != start.shape[0]) throw new ArgumentException($"{prompts.Count} prompts for {start.shape[0]} clips: expected one per clip");
        var problems = sampling.Problems();
        if (problems.Count > 0) throw new ArgumentException($"clip sampling: {problems[0]}");
        foreach (var prompt in prompts) Tokenizer.CheckKnown(prompt, "prompt");
        Model.Train(false);
        using var scope = NewDisposeScope();
        Tensor? keyframes;
        using (no_grad()) keyframes = Model.Embeddings(start.to(Model.Device), end.to(Model.Device), l, mode ?? Model.DefaultConditioning);   // (B, L, N, E) or null
        var ids = Tokenizer.EncodeBatch(prompts, Model.Backbone.Config.TextMaxLength);                         // (B, L_t)
        using var conditioning = new TransitionConditioning(Model.Clip, ids, keyframes, l);
        var pipeline = new SamplingPipeline(Model.Backbone, _betas, sampling.Section(_betas.Length));
        var seeds = Enumerable.Range(0, conditioning.Count).Select(i => seed + i).ToArray();
        var clips = pipeline.Generate(conditioning, seeds, progress);                                          // (B·L, 3, S, S)
        return clips.view(start.shape[0], l, 3, ImageSize, ImageSize).cpu().MoveToOuterDisposeScope();        // (B, L, 3, S, S)
    }

    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }
}
