using System.Diagnostics;
using System.Globalization;
using DiffusionLab.Core;
using DiffusionLab.Data.World;
using DiffusionLab.Diffusion;
using DiffusionLab.Evaluation;
using DiffusionLab.Evaluation.World;
using DiffusionLab.Imaging;
using DiffusionLab.IO;
using DiffusionLab.Mdt;
using DiffusionLab.PhotoMaker;
using DiffusionLab.Runs;
using DiffusionLab.Text;
using DiffusionLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Studies;

/// <summary>
/// Runs a <see cref="PhotoMakerStudySpec"/> (photomaker.md §4 at our scale). <see cref="TrainVariants"/> trains every
/// PhotoMaker variant into <c>runsRoot/&lt;study&gt;/&lt;scale&gt;/&lt;variant&gt;</c> (finished runs are skipped, interrupted ones
/// resume). <see cref="Evaluate"/> then generates, in one process and a fixed order, every held-out person × prompt ×
/// seed with every method (the text-only floor, each variant, DreamBooth tuned per person), all from the same
/// references and the same starting noise per seed, and judges each image; then PhotoMaker's side experiments.
/// </summary>
public sealed class PhotoMakerStudy
{
    public const string Main = "main";
    public const string ReferenceCurve = "references";
    public const string Degraded = "degraded";
    public const string Mixing = "mixing";
    public const string DreamBoothSteps = "dreambooth-steps";
    public const string TextOnlyLabel = "text-to-image, no ID";

    private readonly Device _device;
    private readonly string _runsRoot;
    private readonly TextWriter _log;

    /// <summary>
    /// Resolves the variants' and DreamBooth's configs at the spec's scale; <paramref name="baseCheckpoint"/> (a
    /// command-line path) replaces their BaseCheckpoint when given. <paramref name="judgesFolder"/> holds the
    /// CharacterWorld judges' weights (as `difflab evaluators train` writes them); null = the ones embedded in the
    /// library. Inconsistent configs and missing judges are ConfigExceptions, raised here, before any training.
    /// </summary>
    public PhotoMakerStudy(PhotoMakerStudySpec spec, Device device, string runsRoot, TextWriter log, string? baseCheckpoint = null, string? judgesFolder = null)
    {
        Spec = spec;
        _device = device;
        _runsRoot = runsRoot;
        _log = log;
        JudgesFolder = judgesFolder;
        CharacterWorldEvaluator.CheckAvailable(judgesFolder);
        Variants = spec.Variants.Select(v => (v, spec.VariantConfig(v, baseCheckpoint))).ToList();
        DreamBooth = spec.DreamBoothConfig(baseCheckpoint);
        var stacked = Variants.Where(v => KindOf(v.Config) == PhotoMakerStudyMethodKind.Stacked).ToList();
        if (stacked.Count != 1)
            throw new ConfigException($"PhotoMaker study '{spec.Name}': key 'Variants': expected exactly one PhotoMaker config with stacked ID tokens from other images (IdEmbedding Stacked, References OtherImages), found {stacked.Count}");
        BaseCheckpoint = Variants[0].Config.BaseCheckpoint;
        foreach (var (v, c) in Variants.Skip(1))
            if (c.BaseCheckpoint != BaseCheckpoint)
                throw new ConfigException($"PhotoMaker study '{spec.Name}': variant '{v.Name}' starts from '{c.BaseCheckpoint}', '{Variants[0].Variant.Name}' from '{BaseCheckpoint}'; every method must share one base");
        if (DreamBooth.BaseCheckpoint.Length == 0) DreamBooth = DreamBooth with { BaseCheckpoint = BaseCheckpoint };
        else if (DreamBooth.BaseCheckpoint != BaseCheckpoint)
            throw new ConfigException($"PhotoMaker study '{spec.Name}': DreamBooth starts from '{DreamBooth.BaseCheckpoint}', the PhotoMaker variants from '{BaseCheckpoint}'; every method must share one base");
        foreach (int k in spec.DreamBoothCheckpoints)
            if (k >= DreamBooth.Steps)
                throw new ConfigException($"PhotoMaker study '{spec.Name}': key 'DreamBoothCheckpoints': step {k}, expected below DreamBooth's Steps={DreamBooth.Steps} (its last step is the main evaluation)");
    }

    public PhotoMakerStudySpec Spec { get; }
    public IReadOnlyList<(PhotoMakerStudyVariant Variant, PhotoMakerConfig Config)> Variants { get; }
    public DreamBoothConfig DreamBooth { get; }
    /// <summary>The judges' weight folder; null = the embedded weights.</summary>
    public string? JudgesFolder { get; }
    /// <summary>The text-to-image run or checkpoint every method starts from (absolute).</summary>
    public string BaseCheckpoint { get; }

    public static PhotoMakerStudyMethodKind KindOf(PhotoMakerConfig config) =>
        config.References == ReferenceSource.SingleImage ? PhotoMakerStudyMethodKind.SingleImage
        : config.IdEmbedding == IdEmbeddingMode.Average ? PhotoMakerStudyMethodKind.Average
        : PhotoMakerStudyMethodKind.Stacked;

    public string Folder(PhotoMakerStudyVariant variant) => Path.GetFullPath(Path.Combine(_runsRoot, Spec.Name, Spec.Scale, variant.Name));

    /// <summary>The step of a PhotoMaker run folder's latest checkpoint (0 without one); reads the header only.</summary>
    public static long TrainedSteps(string folder) =>
        TrainingCheckpoint.Latest(folder) is { } path && SafetensorsFile.ReadMetadata(path).TryGetValue("step", out var step)
            ? long.Parse(step, CultureInfo.InvariantCulture) : 0;

    /// <summary>Trains every variant that has not reached its Steps (resuming a started one); returns the run folders.</summary>
    public IReadOnlyList<string> TrainVariants(CancellationToken cancellation = default)
    {
        var folders = new List<string>();
        int index = 0;
        foreach (var (variant, config) in Variants)
        {
            index++;
            cancellation.ThrowIfCancellationRequested();
            string folder = Folder(variant);
            folders.Add(folder);
            long done = TrainedSteps(folder);
            string head = $"[{index}/{Variants.Count}] {variant.Name}";
            if (done >= config.Steps)
            {
                // A finished run trained with another config would be evaluated as if it were this one.
                var previous = PhotoMakerConfig.FromJson(File.ReadAllText(new RunFolder(folder).ConfigFile), new RunFolder(folder).ConfigFile);
                if ((previous with { Steps = config.Steps }).ToJson() != config.ToJson())
                    throw new ConfigException($"run '{folder}': finished with a different config ({new RunFolder(folder).ConfigFile}); use another --runs folder or restore the config");
                _log.WriteLine($"{head}: finished at step {done}, skipped ({folder})");
                continue;
            }
            _log.WriteLine(done > 0 ? $"{head}: resuming at step {done} of {config.Steps} -> {folder}" : $"{head}: training {config.Steps} steps -> {folder}");
            var progress = new TrainingProgress(_log, ReferenceEquals(_log, Console.Out) && !Console.IsOutputRedirected, config.Steps, done, config.LogEvery, head);
            using var trainer = new PhotoMakerTrainer(config, folder, _device, progress);
            trainer.Train(cancellation: cancellation);
            cancellation.ThrowIfCancellationRequested();
        }
        return folders;
    }

    /// <summary>
    /// Generates and judges every method and side experiment (the variants must be trained); writes the sample sheets
    /// into <paramref name="samplesDirectory"/> when given. <paramref name="memory"/> is restarted before each method.
    /// </summary>
    public PhotoMakerStudyResults Evaluate(IPeakMemory memory, string? samplesDirectory = null, CancellationToken cancellation = default)
    {
        foreach (var (variant, config) in Variants)
            if (TrainedSteps(Folder(variant)) < config.Steps)
                throw new ConfigException($"run '{Folder(variant)}': trained {TrainedSteps(Folder(variant))} of {config.Steps} steps; train the variants first (TrainVariants)");
        using var scope = NewDisposeScope();
        using var trained = TrainedModel.Load(BaseCheckpoint, device: _device);
        if (trained.Model is not MaskedDiffusionTransformer backbone || trained.Tokenizer is not { } tokenizer)
            throw new ConfigException($"key 'BaseCheckpoint': '{BaseCheckpoint}' is not a text-to-image MDT run");
        if (trained.Config.Data.Dataset != DatasetKind.CharacterWorld)
            throw new ConfigException($"key 'BaseCheckpoint': its run trained on '{ConfigChoice.Name(trained.Config.Data.Dataset)}'; the study judges CharacterWorld people");
        using var world = new CharacterWorld(DatasetLoader.WorldConfig(trained.Config.Data, trained.Config.Model.InputSize));
        var heldOut = world.Identities(WorldSplit.HeldOut);
        if (heldOut.Count < Spec.People) throw new ConfigException($"key 'People': {Spec.People}, but the base world has {heldOut.Count} held-out people");
        if (Spec.MixPairs > 0 && heldOut.Count < 2) throw new ConfigException("key 'MixPairs': mixing needs two held-out people; the base world has one");
        if (world.Config.ImagesPerIdentity < Spec.References)
            throw new ConfigException($"key 'References': {Spec.References}, but the base world has {world.Config.ImagesPerIdentity} images per person");
        var judgeConfig = new CharacterWorldEvaluatorConfig { World = world.Config, ReferenceImagesPerIdentity = Spec.FdReferenceImagesPerIdentity };
        using var judges = JudgesFolder is null ? CharacterWorldEvaluator.LoadDefault(_device, judgeConfig) : CharacterWorldEvaluator.Load(JudgesFolder, _device, judgeConfig);
        judges.ReferenceStatistics(); // rendered and embedded once, before any method's memory is measured

        var run = new Evaluation(this, judges, world, backbone, tokenizer, BetaSchedule.Create(trained.Config.Diffusion.Schedule, trained.Config.Diffusion.Timesteps),
            memory, samplesDirectory, cancellation);
        run.Prepare(heldOut);
        run.TextOnly();
        foreach (var (variant, config) in Variants) run.Variant(variant, config);
        run.DreamBoothMethod();
        return new PhotoMakerStudyResults(run.Methods, run.Rows, run.People.Select(p => (p.Identity, WorldWords.Of(p.ClassWord))).ToList(), run.Pairs,
            run.ReferenceSharpness, run.RenderedFaceSim, memory.Source, run.PeakRestarted, trained.CheckpointPath, trained.Step, DreamBooth.Steps);
    }

    /// <summary>A prompt with the trigger right after the class word (PhotoMaker, §1.3).</summary>
    public static string WithTrigger(CharacterCaption caption, string trigger) => CaptionTrigger.Insert(caption.Text, caption.ClassWord, trigger);

    /// <summary>A prompt with DreamBooth's identifier right before the class word ("a [V] [class noun]").</summary>
    public static string WithIdentifier(CharacterCaption caption, string identifier) =>
        caption.Text[..caption.ClassWord.Start] + identifier + " " + caption.Text[caption.ClassWord.Start..];

    private sealed record Person(int Identity, ClassWord ClassWord, Tensor References, Tensor Centre);

    /// <summary>Images of one generation call, judged after the method's memory window closes.</summary>
    private sealed record Pending(string Experiment, string Setting, Person Person, int PromptIndex, string Prompt, IntendedFactors Intended,
        Tensor Images, double SecondsPerImage, Person? Other = null);

    /// <summary>One evaluation pass: the shared state of the methods, and the rows they produce.</summary>
    private sealed class Evaluation(PhotoMakerStudy study, CharacterWorldEvaluator judges, CharacterWorld world, MaskedDiffusionTransformer backbone,
        WordTokenizer tokenizer, double[] betas, IPeakMemory memory, string? samples, CancellationToken cancellation)
    {
        /// <summary>64 px tiles drawn at 128 px, big enough to see a face.</summary>
        private const int SheetScale = 2;

        private readonly PhotoMakerStudySpec _spec = study.Spec;
        private readonly Dictionary<int, Person> _known = [];
        private IReadOnlyList<PhotoMakerStudyPrompt> Prompts => _spec.UsedPrompts;
        private long[] Seeds => _spec.Seeds;
        private PhotoMakerSampling Sampling => _spec.Sampling;

        public List<Person> People { get; } = [];
        public List<(int A, int B)> Pairs { get; } = [];
        public List<PhotoMakerStudyRow> Rows { get; } = [];
        public List<PhotoMakerStudyMethod> Methods { get; } = [];
        public Dictionary<string, double> ReferenceSharpness { get; } = [];
        public bool PeakRestarted { get; private set; } = true;
        public (double SamePerson, double OtherPeople) RenderedFaceSim { get; private set; }

        public void Prepare(IReadOnlyList<int> heldOut)
        {
            People.AddRange(heldOut.Take(_spec.People).Select(PersonOf));
            for (int i = 0; i < _spec.MixPairs; i++)
            {
                var a = People[i];
                // B shares A's class word where the world has such a person, so the prompt fits both.
                var others = heldOut.Skip(heldOut.ToList().IndexOf(a.Identity) + 1).Concat(heldOut).Where(h => h != a.Identity).ToList();
                int b = others.FirstOrDefault(h => world.Traits(h).ClassWord == a.ClassWord, others[0]);
                PersonOf(b);
                Pairs.Add((a.Identity, b));
            }
            ReferenceSharpness["clean"] = People.Average(p => LaplacianSharpness.Mean(p.References));
            RenderedFaceSim = (People.Average(SamePersonSimilarity), People.Count > 1 ? People.Average(p => People.Where(o => o.Identity != p.Identity).Average(o => Similarity(o.References, p))) : double.NaN);
        }

        /// <summary>The judge's ceiling: the person's rendered images that are not references, against the references.</summary>
        private double SamePersonSimilarity(Person person)
        {
            var references = world.OtherImageIndices(person.Identity, -1, _spec.References, _spec.ReferenceSeed);
            var others = Enumerable.Range(0, world.Config.ImagesPerIdentity).Except(references).Take(_spec.References).ToList();
            if (others.Count == 0) return double.NaN;
            using var images = CharacterImage.Stack(others.Select(i => world.Render(person.Identity, i)));
            return Similarity(images, person);
        }

        private double Similarity(Tensor images, Person person)
        {
            using var scope = NewDisposeScope();
            var embeddings = nn.functional.normalize(judges.IdentityEmbeddings(images).to(ScalarType.Float64), dim: 1);
            return embeddings.matmul(person.Centre).mean().item<double>();
        }

        private Person PersonOf(int identity)
        {
            if (_known.TryGetValue(identity, out var known)) return known;
            var references = References(identity, null);
            using var embeddings = judges.IdentityEmbeddings(references);                       // (R,128)
            var centre = nn.functional.normalize(embeddings.mean([0]).to(ScalarType.Float64), dim: 0); // (128)
            return _known[identity] = new Person(identity, world.Traits(identity).ClassWord, references, centre);
        }

        /// <summary>The person's references (R,3,H,W): the same image indices clean or damaged.</summary>
        private Tensor References(int identity, ImageDegradation? degradation) =>
            CharacterImage.Stack(world.RenderReferences(identity, -1, _spec.References, _spec.ReferenceSeed, degradation));

        public void TextOnly()
        {
            WarmUp(() => DreamBoothFineTuner.GenerateText(backbone, tokenizer, betas, Prompts[0].Caption(People[0].ClassWord).Text, [0], 2, Sampling.GuidanceScale, null));
            Measure(TextOnlyLabel, PhotoMakerStudyMethodKind.TextOnly, null, null, () =>
            {
                var pending = new List<Pending>();
                foreach (var person in People)
                    for (int p = 0; p < Prompts.Count; p++)
                    {
                        var caption = Prompts[p].Caption(person.ClassWord);
                        pending.Add(Generate(Main, "", person, p, caption.Text,
                            () => DreamBoothFineTuner.GenerateText(backbone, tokenizer, betas, caption.Text, Seeds, Sampling.Steps, Sampling.GuidanceScale, null)));
                    }
                return (pending, null, null);
            });
        }

        public void Variant(PhotoMakerStudyVariant variant, PhotoMakerConfig config)
        {
            var kind = KindOf(config);
            string folder = study.Folder(variant);
            using var pipeline = PhotoMakerPipeline.Load(folder, backbone.parameters().First().device);
            var stacks = People.ToDictionary(p => p.Identity, p => new ReferenceStack(p.References));
            try
            {
                WarmUp(() => pipeline.Generate(WithTrigger(Prompts[0].Caption(People[0].ClassWord), Sampling.Trigger), stacks[People[0].Identity], [0], Sampling with { Steps = 2 }));
                Measure(variant.DisplayName, kind, folder, pipeline.Step, () =>
                {
                    var pending = new List<Pending>();
                    foreach (var person in People)
                        for (int p = 0; p < Prompts.Count; p++)
                            pending.Add(Personalised(pipeline, Main, "", person, p, stacks[person.Identity]));
                    return (pending, null, null);
                });
            }
            finally
            {
                foreach (var s in stacks.Values) s.Dispose();
            }
            if (kind == PhotoMakerStudyMethodKind.Stacked) SideExperiments(pipeline, variant.DisplayName);
        }

        private Pending Personalised(PhotoMakerPipeline pipeline, string experiment, string setting, Person person, int prompt, ReferenceStack references, Person? other = null)
        {
            string text = WithTrigger(Prompts[prompt].Caption(person.ClassWord), Sampling.Trigger);
            return Generate(experiment, setting, person, prompt, text, () => pipeline.Generate(text, references, Seeds, Sampling), other);
        }

        /// <summary>PhotoMaker only: the 1→4 reference curve, degraded references, the mixing sweep (photomaker.md §2.4, §3.3).</summary>
        private void SideExperiments(PhotoMakerPipeline pipeline, string label)
        {
            var pending = new List<Pending>();
            int side = _spec.SidePromptCount;
            foreach (int n in _spec.ReferenceCurve)
                foreach (var person in People)
                {
                    using var stack = new ReferenceStack(person.References.narrow(0, 0, n));
                    for (int p = 0; p < side; p++) pending.Add(Personalised(pipeline, ReferenceCurve, n.ToString(CultureInfo.InvariantCulture), person, p, stack));
                }
            Log($"{label}: reference curve {string.Join(", ", _spec.ReferenceCurve)}");

            var sheet = new List<Tensor>();
            foreach (var (name, degradation) in _spec.Degradations)
            {
                double sharpness = 0;
                foreach (var person in People)
                {
                    using var damaged = References(person.Identity, degradation);
                    sharpness += LaplacianSharpness.Mean(damaged);
                    using var stack = new ReferenceStack(damaged);
                    for (int p = 0; p < side; p++) pending.Add(Personalised(pipeline, Degraded, name, person, p, stack));
                }
                ReferenceSharpness[name] = sharpness / People.Count;
            }
            Log($"{label}: degraded references ({string.Join(", ", _spec.Degradations.Keys)})");

            foreach (var (a, b) in Pairs)
                foreach (double w in _spec.MixWeights)
                {
                    using var mix = ReferenceStack.Mix((_known[a].References, w), (_known[b].References, 1.0));
                    for (int p = 0; p < side; p++)
                        pending.Add(Personalised(pipeline, Mixing, w.ToString("0.0##", CultureInfo.InvariantCulture), _known[a], p, mix, _known[b]));
                }
            if (Pairs.Count > 0) Log($"{label}: mixing sweep over {Pairs.Count} pair(s) × {_spec.MixWeights.Length} coefficients");
            Judge(label, PhotoMakerStudyMethodKind.Stacked, pending);
            WriteSideSheets(pending);
            foreach (var g in pending) g.Images.Dispose();
        }

        public void DreamBoothMethod()
        {
            var config = study.DreamBooth;
            var tuner = new DreamBoothFineTuner(config);
            string label = $"DreamBooth ({config.Tuning}, {config.Steps} steps)";
            double classSeconds = 0, tuneSeconds = 0;
            Measure(label, PhotoMakerStudyMethodKind.DreamBooth, null, config.Steps, () =>
            {
                var pending = new List<Pending>();
                foreach (var person in People)
                {
                    cancellation.ThrowIfCancellationRequested();
                    string classWord = WorldWords.Of(person.ClassWord);
                    using var result = tuner.Tune(backbone, tokenizer, betas, person.References, classWord, null, _spec.DreamBoothCheckpoints, snapshot =>
                    {
                        for (int p = 0; p < _spec.SidePromptCount; p++)
                        {
                            string text = WithIdentifier(Prompts[p].Caption(person.ClassWord), config.Identifier);
                            pending.Add(Generate(DreamBoothSteps, snapshot.Step.ToString(CultureInfo.InvariantCulture), person, p, text,
                                () => snapshot.Generate(text, Seeds, Sampling.Steps, Sampling.GuidanceScale)));
                        }
                    });
                    classSeconds += result.ClassImageTime.TotalSeconds;
                    tuneSeconds += result.TrainTime.TotalSeconds;
                    Log($"{label}: person {person.Identity} tuned in {result.TotalTime.TotalSeconds:F1} s (class images {result.ClassImageTime.TotalSeconds:F1} s)");
                    for (int p = 0; p < Prompts.Count; p++)
                    {
                        string text = WithIdentifier(Prompts[p].Caption(person.ClassWord), config.Identifier);
                        pending.Add(Generate(Main, "", person, p, text, () => result.Generate(text, Seeds, Sampling.Steps, Sampling.GuidanceScale)));
                    }
                }
                return (pending, classSeconds / People.Count, tuneSeconds / People.Count);
            });
        }

        /// <summary>
        /// Runs one method's main generations inside a memory window, then judges them (outside it): rows, FD over all
        /// its main images, the sample sheet.
        /// </summary>
        private void Measure(string label, PhotoMakerStudyMethodKind kind, string? folder, long? steps,
            Func<(List<Pending> Pending, double? ClassSeconds, double? TuneSeconds)> generate)
        {
            cancellation.ThrowIfCancellationRequested();
            PeakRestarted &= memory.ResetPeak();
            long? start = memory.CurrentBytes;
            var (pending, classSeconds, tuneSeconds) = generate();
            long? peak = memory.PeakBytes;
            Judge(label, kind, pending);
            var main = pending.Where(g => g.Experiment == Main).ToList();
            double fd = double.NaN;
            using (var all = cat(main.Select(g => g.Images).ToArray(), 0))
                if (all.shape[0] >= 2) fd = judges.FrechetDistance(all);
            Methods.Add(new PhotoMakerStudyMethod(label, kind, fd, peak, peak - start, folder, steps, classSeconds, tuneSeconds));
            WriteSheet(label, main);
            long images = main.Sum(g => g.Images.shape[0]);
            foreach (var g in pending) g.Images.Dispose();
            Log($"{label}: {images} images, FD {fd:F2}, {main.Average(g => g.SecondsPerImage):F2} s/image" +
                (peak is { } b ? $", peak memory {b / 1e6:F0} MB" : ""));
        }

        /// <summary>A short unrecorded generation, so a method's first timed call does not pay for first-call allocations.</summary>
        private static void WarmUp(Func<Tensor> generate)
        {
            using var scope = NewDisposeScope();
            generate();
        }

        private Pending Generate(string experiment, string setting, Person person, int prompt, string text, Func<Tensor> generate, Person? other = null)
        {
            cancellation.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            Tensor images;
            using (var scope = NewDisposeScope()) images = generate().cpu().MoveToOuterDisposeScope();
            double seconds = clock.Elapsed.TotalSeconds / images.shape[0];
            return new Pending(experiment, setting, person, prompt, text, Prompts[prompt].Intended(person.ClassWord), images.DetachFromDisposeScope(), seconds, other);
        }

        private void Judge(string label, PhotoMakerStudyMethodKind kind, List<Pending> pending)
        {
            foreach (var g in pending)
            {
                using var scope = NewDisposeScope();
                int n = (int)g.Images.shape[0];
                var embeddings = nn.functional.normalize(judges.IdentityEmbeddings(g.Images).to(ScalarType.Float64), dim: 1); // (S,128)
                var faceSim = embeddings.matmul(g.Person.Centre).data<double>().ToArray();                            // (S)
                var faceSimOther = g.Other is { } o ? embeddings.matmul(o.Centre).data<double>().ToArray() : null;
                var predicted = judges.PredictFactors(g.Images).ToDictionary(kv => kv.Key, kv => kv.Value.data<long>().ToArray());
                var valid = StructureChecker.IsValid(judges.PartCounts(g.Images)).data<bool>().ToArray();
                double? diversity = n >= 2 ? judges.Diversity(g.Images, new int[n]) : null;
                var sharpness = LaplacianSharpness.PerImage(g.Images).data<double>().ToArray();
                for (int i = 0; i < n; i++)
                {
                    var perFactor = new Dictionary<string, double>();
                    foreach (var (name, classes) in predicted)
                        if (g.Intended.Get(name) is long want) perFactor[name] = classes[i] == want ? 1 : 0;
                    Rows.Add(new PhotoMakerStudyRow(g.Experiment, g.Setting, label, kind, g.Person.Identity, g.PromptIndex, g.Prompt, Seeds[i],
                        faceSim[i], faceSimOther?[i], perFactor, perFactor.Values.Average(), valid[i], diversity, sharpness[i], g.SecondsPerImage));
                }
            }
        }

        /// <summary>Per sample person: the references, then the first seed's image for each prompt.</summary>
        private void WriteSheet(string label, List<Pending> main)
        {
            if (samples is null || _spec.SamplePeople == 0) return;
            using var scope = NewDisposeScope();
            var tiles = new List<Tensor>();
            foreach (var person in People.Take(_spec.SamplePeople))
            {
                tiles.Add(person.References);
                tiles.AddRange(main.Where(g => g.Person.Identity == person.Identity).OrderBy(g => g.PromptIndex).Select(g => g.Images.narrow(0, 0, 1)));
            }
            Directory.CreateDirectory(samples);
            AtomicFile.WriteAllBytes(Path.Combine(samples, PhotoMakerStudyReport.Slug(label) + ".png"), ImageGrid.ToPng(cat(tiles, 0), _spec.References + Prompts.Count, scale: SheetScale));
        }

        /// <summary>The mixing strip (A's references, one image per coefficient, B's references) and the degraded sheet.</summary>
        private void WriteSideSheets(List<Pending> pending)
        {
            if (samples is null) return;
            Directory.CreateDirectory(samples);
            using var scope = NewDisposeScope();
            if (Pairs.Count > 0)
            {
                var tiles = new List<Tensor>();
                foreach (var (a, b) in Pairs)
                {
                    tiles.Add(_known[a].References);
                    tiles.AddRange(pending.Where(g => g.Experiment == Mixing && g.Person.Identity == a && g.Other!.Identity == b && g.PromptIndex == 0).Select(g => g.Images.narrow(0, 0, 1)));
                    tiles.Add(_known[b].References);
                }
                AtomicFile.WriteAllBytes(Path.Combine(samples, "mixing.png"), ImageGrid.ToPng(cat(tiles, 0), 2 * _spec.References + _spec.MixWeights.Length, scale: SheetScale));
            }
            if (_spec.Degradations.Count > 0 && _spec.SamplePeople > 0)
            {
                var tiles = new List<Tensor>();
                foreach (var person in People.Take(_spec.SamplePeople))
                    foreach (var (name, degradation) in _spec.Degradations)
                    {
                        tiles.Add(References(person.Identity, degradation));
                        tiles.Add(pending.First(g => g.Experiment == Degraded && g.Setting == name && g.Person.Identity == person.Identity && g.PromptIndex == 0).Images.narrow(0, 0, 1));
                    }
                AtomicFile.WriteAllBytes(Path.Combine(samples, "degraded.png"), ImageGrid.ToPng(cat(tiles, 0), (_spec.References + 1) * _spec.Degradations.Count, scale: SheetScale));
            }
        }

        private void Log(string line) => study._log.WriteLine(line);
    }
}
