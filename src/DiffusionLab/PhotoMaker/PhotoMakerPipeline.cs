using DiffusionLab.Core;
using DiffusionLab.Data;
using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.Mdt;
using DiffusionLab.Runs;
using DiffusionLab.Pipelines;
using DiffusionLab.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// PhotoMaker inference (photomaker.md §3): reference images + a prompt with the trigger word ("a woman img wearing a
/// crown") → stacked-ID embedding t* → DDIM (50 steps) under classifier-free guidance (w = 5, the unconditional pass
/// on the empty prompt) with delayed subject conditioning (text-only prompt up to start_merge_step), one image per
/// seed. No test-time tuning: the references only pass through the encoder once.
/// </summary>
public sealed class PhotoMakerPipeline : IDisposable
{
    private readonly double[] _betas;
    private readonly bool _ownsModel;

    /// <summary>
    /// A pipeline over a model (owned when <paramref name="ownsModel"/>) and the base run's tokenizer and β schedule
    /// (learned sigma as the backbone was built).
    /// </summary>
    public PhotoMakerPipeline(PhotoMakerModel model, WordTokenizer tokenizer, double[] betas, bool ownsModel = false)
    {
        Model = model;
        Tokenizer = tokenizer;
        _betas = (double[])betas.Clone();
        _ownsModel = ownsModel;
    }

    public PhotoMakerModel Model { get; }
    public WordTokenizer Tokenizer { get; }
    public int MaxLength => Model.Backbone.Config.TextMaxLength;

    /// <summary>The base run's config when loaded from a checkpoint (its world, image size and sampler), else null.</summary>
    public TrainConfig? BaseConfig { get; private init; }

    /// <summary>The PhotoMaker checkpoint this pipeline was loaded from, else null.</summary>
    public string? CheckpointPath { get; private init; }

    /// <summary>The training step of that checkpoint (null when it holds no training state).</summary>
    public long? Step { get; private init; }

    /// <summary>Reference and output side in pixels.</summary>
    public int ImageSize => Model.Backbone.Config.InputSize;

    /// <summary>
    /// Loads the latest checkpoint of a PhotoMaker run folder, a PhotoMaker checkpoint file or a shipped PhotoMaker model
    /// (<c>zoo:NAME</c>), and the base
    /// text-to-image checkpoint it names (EMA trained weights when the checkpoint has them and <paramref name="useEma"/>).
    /// A text-to-image run given by mistake is a ConfigException saying so.
    /// </summary>
    public static PhotoMakerPipeline Load(string runOrCheckpoint, Device? device = null, bool useEma = true)
    {
        string checkpointPath = RunFolder.CheckpointOf(runOrCheckpoint);
        var checkpoint = PhotoMakerCheckpoint.Load(checkpointPath);
        var config = checkpoint.Config(checkpointPath);
        var (trained, backbone, tokenizer) = StageBase.LoadRecorded(checkpoint.BaseCheckpoint, config.BaseUseEma, device, $"PhotoMaker checkpoint '{checkpointPath}'");
        var model = new PhotoMakerModel(backbone, config);
        try { model.LoadTrainedWeights(useEma && checkpoint.Ema is not null ? checkpoint.Ema : checkpoint.Weights, checkpointPath); }
        catch
        {
            model.Dispose();
            throw;
        }
        var diffusion = trained.Config.Diffusion;
        return new PhotoMakerPipeline(model, tokenizer, BetaSchedule.Create(diffusion.Schedule, diffusion.Timesteps), ownsModel: true)
        {
            BaseConfig = trained.Config,
            CheckpointPath = checkpointPath,
            Step = checkpoint.Step,
        };
    }

    /// <summary>
    /// The CharacterWorld the base run trained on, at the model's image size: its held-out people are ones neither
    /// stage ever saw. Needs a pipeline loaded from a checkpoint of a CharacterWorld run.
    /// </summary>
    public CharacterWorld BaseWorld() => StageBase.World(BaseConfig, ImageSize);

    /// <summary>
    /// Reference image files (<see cref="Imaging.ImageFile"/>: PNG, JPEG, WebP, BMP, GIF; upright, alpha on white) centre-cropped and resized to <paramref name="imageSize"/>, with
    /// optional per-image mixing weights; a missing file is a FileNotFoundException, an unreadable one an
    /// InvalidDataException, each naming the file.
    /// </summary>
    public static ReferenceStack LoadReferences(IReadOnlyList<string> files, int imageSize, IReadOnlyList<double>? weights = null)
    {
        if (files.Count == 0) throw new ArgumentException("no reference images: PhotoMaker needs at least one image of the person");
        var images = new List<Tensor>();
        try
        {
            foreach (var file in files)
            {
                if (!File.Exists(file)) throw new FileNotFoundException($"reference image '{file}': not found", file);
                images.Add(ImageFolderDataset.LoadOne(file, imageSize, 3));
            }
            using var all = stack(images);
            return new ReferenceStack(all, weights);
        }
        finally
        {
            foreach (var t in images) t.Dispose();
        }
    }

    /// <summary>
    /// Parses and checks a PhotoMaker prompt: exactly one trigger after a class word that the tokenizer knows, and no
    /// other unknown word (each an ArgumentException naming the prompt and the word).
    /// </summary>
    public TriggerPrompt ParsePrompt(string prompt, string trigger = TriggerPrompt.DefaultTrigger)
    {
        var parsed = TriggerPrompt.Parse(prompt, trigger);
        if (!Tokenizer.Contains(parsed.ClassWord.Word))
            throw new ArgumentException($"prompt \"{prompt}\": the class word '{parsed.ClassWord.Word}' (before '{trigger}') is not in the tokenizer's vocabulary; use one the model was trained with, e.g. man, woman, boy, girl");
        var unknown = parsed.Prompt.Words.Select(w => w.Word).Where(w => !Tokenizer.Contains(w)).Distinct().ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"prompt \"{prompt}\": unknown word(s) {string.Join(", ", unknown.Select(w => $"'{w}'"))}: not in the tokenizer's vocabulary");
        return parsed;
    }

    /// <summary>The two prompt embeddings of delayed conditioning for one prompt: text-only (class word once) and t* (1 row each).</summary>
    public (TextEmbedding TextOnly, TextEmbedding Stacked) EncodePrompt(TriggerPrompt prompt, ReferenceStack references)
    {
        int copies = Model.Mode == IdEmbeddingMode.Stacked ? references.Count : 1;
        using var batch = ClassTokenBatch.From([prompt.Encode(Tokenizer, copies, MaxLength, PhotoMakerModel.TokensPerImage)]);
        using var _ = no_grad();
        using var ids = prompt.EncodeTextOnly(Tokenizer, MaxLength).ToTensor();
        return (Model.EncodeText(ids), Model.Condition(batch, [references]));
    }

    /// <summary>
    /// One image per seed (S, 3, H, W) in [−1, 1] for <paramref name="prompt"/> and <paramref name="references"/>;
    /// <paramref name="onStep"/> hears, per denoising step, whether it used the stacked-ID embedding.
    /// </summary>
    public Tensor Generate(string prompt, ReferenceStack references, IReadOnlyList<long> seeds, PhotoMakerSampling? sampling = null, Action<int, bool>? onStep = null)
    {
        sampling ??= new PhotoMakerSampling();
        var problems = sampling.Problems();
        if (problems.Count > 0) throw new ArgumentException($"sampling: {problems[0]}");
        if (references is null || references.Count == 0) throw new ArgumentException("no reference images: PhotoMaker needs at least one image of the person");
        if (seeds.Count == 0) throw new ArgumentException("seeds: expected at least one (one image per seed)");
        var parsed = ParsePrompt(prompt, sampling.Trigger);
        bool wasTraining = Model.IdEncoder.training;
        Model.Train(false);
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var (textOnly, stacked) = EncodePrompt(parsed, references);
            using var uncondIds = NullPrompt.Ids(1, MaxLength);
            var unconditional = Model.EncodeText(uncondIds);
            using var conditioning = new DelayedSubjectConditioning(Model.Forward, Rows(textOnly, seeds.Count), Rows(stacked, seeds.Count), unconditional,
                sampling.StartMergeStep, onStep);
            return new SamplingPipeline(Model.Backbone, _betas, sampling.Section(_betas.Length)).Generate(conditioning, seeds).MoveToOuterDisposeScope();
        }
        finally
        {
            Model.Train(wasTraining);
        }
    }

    /// <summary>As above with references read from image files (see <see cref="LoadReferences"/>).</summary>
    public Tensor Generate(string prompt, IReadOnlyList<string> referenceFiles, IReadOnlyList<long> seeds, PhotoMakerSampling? sampling = null, IReadOnlyList<double>? weights = null)
    {
        using var references = LoadReferences(referenceFiles, Model.Backbone.Config.InputSize, weights);
        return Generate(prompt, references, seeds, sampling);
    }

    private static TextEmbedding Rows(TextEmbedding one, int rows) => new(
        one.Tokens.expand(rows, -1, -1), one.Pooled.expand(rows, -1), one.PaddingMask.expand(rows, -1));

    public void Dispose()
    {
        if (_ownsModel) Model.Dispose();
    }
}
