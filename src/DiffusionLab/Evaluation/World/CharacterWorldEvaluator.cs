using DiffusionLab.Core;
using DiffusionLab.Data.World;
using DiffusionLab.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// Judges generated CharacterWorld images with the three committed judges: FD (our FID) in
/// <see cref="FactorClassifier"/> feature space against renders of the held-out identities,
/// prompt accuracy per factor (our CLIP-T), structure validity (2 eyes, 1 nose, 1 mouth),
/// identity consistency within a group (StoryDiffusion's character similarity), similarity to a
/// group's reference images (PhotoMaker's FaceSim) and diversity within a group (PhotoMaker's
/// Face Div). Knows nothing of the models it judges; every metric is also callable alone.
/// </summary>
public sealed class CharacterWorldEvaluator : IDisposable
{
    public const string IdentityWeightsFile = "world-identity.safetensors";
    public const string FactorWeightsFile = "world-factors.safetensors";
    public const string StructureWeightsFile = "world-structure.safetensors";
    private const string ResourcePrefix = "DiffusionLab.Evaluation.";

    /// <summary>
    /// Rows top..bottom−1 and columns left..right−1 of a 64×64 image that hold the head: the mean
    /// person mask of 500 renders covers the head in rows 10–46 and columns 16–48; two pixels
    /// more on each side (four sideways) leave room for pose and placement.
    /// </summary>
    public static (int Top, int Bottom, int Left, int Right) FaceWindow { get; } = (8, 48, 12, 52);

    private readonly Device _device;
    private FeatureStatistics? _referenceStatistics;

    private CharacterWorldEvaluator(IdentityEmbedder identity, FactorClassifier factors, StructureChecker structure, Device device, CharacterWorldEvaluatorConfig config)
    {
        config.Validate();
        Identity = identity;
        Factors = factors;
        Structure = structure;
        Config = config;
        _device = device;
        foreach (var judge in new nn.Module[] { identity, factors, structure })
        {
            judge.to(device);
            judge.eval();
        }
    }

    /// <summary>Whether this build embeds the three judges' weights (<see cref="LoadDefault"/> works).</summary>
    public static bool HasEmbeddedWeights { get; } = new[] { IdentityWeightsFile, FactorWeightsFile, StructureWeightsFile }
        .All(name => typeof(CharacterWorldEvaluator).Assembly.GetManifestResourceNames().Contains(ResourcePrefix + name));

    /// <summary>
    /// Checks, before a study trains anything, that the judges can load: the three weight files in
    /// <paramref name="judgesFolder"/>, or (null) the weights embedded in this build; else a ConfigException saying how to make them.
    /// </summary>
    public static void CheckAvailable(string? judgesFolder)
    {
        if (judgesFolder is null && !HasEmbeddedWeights)
            throw new ConfigException("the CharacterWorld judges' weights are not embedded in this build (src/DiffusionLab/Evaluation/Resources has no world-*.safetensors); train them with `difflab evaluators train --out DIR` and pass --judges DIR");
        foreach (var name in new[] { IdentityWeightsFile, FactorWeightsFile, StructureWeightsFile })
            if (judgesFolder is not null && !File.Exists(Path.Combine(judgesFolder, name)))
                throw new ConfigException($"judges '{judgesFolder}': no {name} in it (`difflab evaluators train --out DIR` writes the three weight files)");
    }

    /// <summary>The evaluator with the weights embedded in the library (Evaluation/Resources/README.md).</summary>
    public static CharacterWorldEvaluator LoadDefault(Device? device = null, CharacterWorldEvaluatorConfig? config = null) =>
        Create(name => (JudgeInit.ReadResource(ResourcePrefix + name), $"resource {ResourcePrefix + name}"), device, config);

    /// <summary>The evaluator with the three weight files of <paramref name="folder"/> (as `difflab evaluators train` writes them).</summary>
    public static CharacterWorldEvaluator Load(string folder, Device? device = null, CharacterWorldEvaluatorConfig? config = null) =>
        Create(name =>
        {
            string path = Path.Combine(folder, name);
            return (SafetensorsFile.Load(path), path);
        }, device, config);

    private static CharacterWorldEvaluator Create(Func<string, (Dictionary<string, Tensor>, string)> read, Device? device, CharacterWorldEvaluatorConfig? config)
    {
        var identity = new IdentityEmbedder();
        var factors = new FactorClassifier();
        var structure = new StructureChecker();
        try
        {
            var (state, source) = read(IdentityWeightsFile);
            identity.LoadWeights(state, source);
            (state, source) = read(FactorWeightsFile);
            factors.LoadWeights(state, source);
            (state, source) = read(StructureWeightsFile);
            structure.LoadWeights(state, source);
            return new CharacterWorldEvaluator(identity, factors, structure, device ?? torch.CPU, config ?? new CharacterWorldEvaluatorConfig());
        }
        catch
        {
            identity.Dispose();
            factors.Dispose();
            structure.Dispose();
            throw;
        }
    }

    public IdentityEmbedder Identity { get; }
    public FactorClassifier Factors { get; }
    public StructureChecker Structure { get; }
    public CharacterWorldEvaluatorConfig Config { get; }

    /// <summary>(N,3,S,S) in [−1,1] (S≠64 resampled) → (N,128) unit identity embeddings on the CPU.</summary>
    public Tensor IdentityEmbeddings(Tensor images) => JudgeImages.Batched(CheckImages(images, 1), Identity.forward, _device, Config.BatchSize);

    /// <summary>(N,3,S,S) in [−1,1] (S≠64 resampled) → (N,256) FD features on the CPU.</summary>
    public Tensor Features(Tensor images) => JudgeImages.Batched(CheckImages(images, 1), Factors.Features, _device, Config.BatchSize);

    /// <summary>(N,3,S,S) → predicted class (N) int64 per factor name.</summary>
    public Dictionary<string, Tensor> PredictFactors(Tensor images)
    {
        using var logits = JudgeImages.Batched(CheckImages(images, 1), Factors.forward, _device, Config.BatchSize); // (N,31)
        return FactorClassifier.Split(logits).ToDictionary(kv => kv.Key, kv => kv.Value.argmax(1));
    }

    /// <summary>(N,3,S,S) → (N,3) int64 predicted counts of eyes, noses and mouths.</summary>
    public Tensor PartCounts(Tensor images)
    {
        using var logits = JudgeImages.Batched(CheckImages(images, 1), Structure.forward, _device, Config.BatchSize); // (N,10)
        return StructureChecker.Counts(logits);
    }

    /// <summary>FD of the images (N ≥ 2) against <see cref="ReferenceStatistics"/>.</summary>
    public double FrechetDistance(Tensor images)
    {
        using var features = Features(CheckImages(images, 2));
        using var stats = FeatureStatistics.Of(features);
        return Evaluation.FrechetDistance.Compute(stats, ReferenceStatistics());
    }

    /// <summary>Feature statistics of the reference renders (held-out identities, images 0..K−1), computed once.</summary>
    public FeatureStatistics ReferenceStatistics()
    {
        if (_referenceStatistics is null)
        {
            using var world = new CharacterWorld(Config.World);
            using var images = JudgeImages.Render(world, WorldJudgeMetrics.ReferenceJobs(world, Config.ReferenceImagesPerIdentity), Config.RenderParallelism);
            using var features = Features(images);
            _referenceStatistics = FeatureStatistics.Of(features);
        }
        return _referenceStatistics;
    }

    /// <summary>Per requested factor, the share of images predicted as requested; their mean is our CLIP-T.</summary>
    public FactorAccuracy PromptAccuracy(Tensor images, IReadOnlyList<IntendedFactors> intended)
    {
        var predicted = PredictFactors(images);
        try { return PromptAccuracy(predicted, intended); }
        finally { foreach (var t in predicted.Values) t.Dispose(); }
    }

    /// <summary>Share of images judged to have 2 eyes, 1 nose and 1 mouth.</summary>
    public double StructureValidity(Tensor images)
    {
        using var counts = PartCounts(images);
        return ValidShare(counts);
    }

    /// <summary>Mean pairwise identity cosine within each group of two or more images, averaged over groups.</summary>
    public double IdentityConsistency(Tensor images, IReadOnlyList<int> groups)
    {
        using var embeddings = IdentityEmbeddings(images);
        using var cosines = GroupMetrics.Cosines(embeddings);
        return GroupMetrics.MeanWithinGroups(cosines, groups);
    }

    /// <summary>Mean cosine between each image's identity embedding and the mean embedding of its group's references (M,3,S,S).</summary>
    public double ReferenceSimilarity(Tensor images, IReadOnlyList<int> groups, IReadOnlyDictionary<int, Tensor> references)
    {
        using var embeddings = IdentityEmbeddings(images);
        return SimilarityToReferences(embeddings, groups, references);
    }

    /// <summary>
    /// Mean pairwise distance within each group of two or more images, averaged over groups: LPIPS's
    /// uncalibrated form (Zhang et al. 2018, eq. 1 with unit weights) on the five stage outputs of
    /// the factor classifier's trunk, restricted to <see cref="FaceWindow"/> (PhotoMaker crops faces
    /// before LPIPS; photomaker.md §4.2): per stage, features unit-normalised over channels, squared
    /// difference summed over channels and averaged over window positions; then averaged over
    /// stages. 0 for identical images, at most 2 (the features are non-negative).
    /// </summary>
    public double Diversity(Tensor images, IReadOnlyList<int> groups)
    {
        CheckImages(images, 1);
        if (groups.Count != images.shape[0]) throw new ArgumentException($"groups: expected one group id per image ({images.shape[0]}), got {groups.Count}");
        var pending = GroupMetrics.Members(groups).Where(m => m.Length >= 2).ToList();
        if (pending.Count == 0) throw new ArgumentException("groups: no group has two or more images");
        var means = new List<double>();
        // Whole groups share one pass through the trunk, up to a batch's worth of images.
        while (pending.Count > 0)
        {
            var chunk = new List<long[]> { pending[0] };
            int size = pending[0].Length, taken = 1;
            for (; taken < pending.Count && size + pending[taken].Length <= Config.BatchSize; taken++)
            {
                chunk.Add(pending[taken]);
                size += pending[taken].Length;
            }
            pending.RemoveRange(0, taken);
            using var scope = torch.NewDisposeScope();
            var stages = UnitStageFeatures(images.index_select(0, torch.tensor(chunk.SelectMany(m => m).ToArray())));
            long start = 0;
            foreach (var members in chunk)
            {
                means.Add(GroupMetrics.MeanOffDiagonal(Distances(stages, start, members.Length)));
                start += members.Length;
            }
        }
        return means.Average();
    }

    /// <summary>(n,3,S,S) → (n,n) LPIPS-style distances (see <see cref="Diversity"/>), float64 on the CPU.</summary>
    public Tensor PerceptualDistances(Tensor images)
    {
        CheckImages(images, 1);
        using var scope = torch.NewDisposeScope();
        return Distances(UnitStageFeatures(images), 0, images.shape[0]).MoveToOuterDisposeScope();
    }

    // Every trunk stage's output inside the face window, unit-normalised over channels and
    // flattened: ((n,C·h·w), h·w) per stage, on the CPU. The window scales with each stage's stride,
    // rounded outwards.
    private List<(Tensor Unit, long Positions)> UnitStageFeatures(Tensor images)
    {
        using var _ = torch.no_grad();
        var (top, bottom, left, right) = FaceWindow;
        var result = new List<(Tensor, long)>();
        foreach (var stage in Factors.Trunk.StageOutputs(JudgeImages.ToJudgeInput(images, _device))) // (n,C,H,W)
        {
            int stride = JudgeTrunk.ImageSize / (int)stage.shape[2];
            int y0 = top / stride, y1 = (bottom + stride - 1) / stride, x0 = left / stride, x1 = (right + stride - 1) / stride;
            var window = stage.narrow(2, y0, y1 - y0).narrow(3, x0, x1 - x0);                      // (n,C,h,w)
            result.Add((nn.functional.normalize(window, dim: 1).flatten(1).cpu(), (long)(y1 - y0) * (x1 - x0)));
        }
        return result;
    }

    // Mean over stages of the mean over positions of |a − b|² between rows start..start+count−1: (count,count) float64.
    private static Tensor Distances(List<(Tensor Unit, long Positions)> stages, long start, long count)
    {
        var total = torch.zeros(count, count, ScalarType.Float64);                            // (n,n)
        foreach (var (all, positions) in stages)
        {
            var unit = all.narrow(0, start, count).to(ScalarType.Float64);                    // (n,C·H·W)
            var squares = unit.square().sum(1);                                               // (n)
            var distance = (squares.unsqueeze(1) + squares.unsqueeze(0) - 2 * unit.matmul(unit.t())) / positions; // (n,n)
            total += distance.clamp_min(0);
        }
        return total / stages.Count;
    }

    /// <summary>
    /// Every metric at once (each network runs once over the images). <paramref name="intended"/>:
    /// what each image asked for; <paramref name="groups"/>: one group id per image (a character of
    /// a story, an identity of a personalisation run); <paramref name="references"/>: group id →
    /// (M,3,S,S) reference images of that group.
    /// </summary>
    public CharacterWorldEvaluation Evaluate(Tensor images, IReadOnlyList<IntendedFactors>? intended = null, IReadOnlyList<int>? groups = null,
        IReadOnlyDictionary<int, Tensor>? references = null)
    {
        int n = (int)CheckImages(images, 2).shape[0];
        if (intended is not null && intended.Count != n) throw new ArgumentException($"intended: expected one entry per image ({n}), got {intended.Count}");
        if (groups is not null && groups.Count != n) throw new ArgumentException($"groups: expected one group id per image ({n}), got {groups.Count}");
        if (references is not null && groups is null) throw new ArgumentException("references: need groups to know which images each reference set belongs to");

        double fd;
        FactorAccuracy? prompt = null;
        using (var scope = torch.NewDisposeScope())
        {
            var features = Features(images);                                           // (N,256)
            using (var stats = FeatureStatistics.Of(features))
                fd = Evaluation.FrechetDistance.Compute(stats, ReferenceStatistics());
            if (intended is not null && intended.Any(i => FactorClassifier.Factors.Any(f => i.Get(f.Name) is not null)))
            {
                var logits = JudgeImages.Batched(features, Factors.Classify, _device, Config.BatchSize, areImages: false); // (N,31)
                var predicted = FactorClassifier.Split(logits).ToDictionary(kv => kv.Key, kv => kv.Value.argmax(1));
                prompt = PromptAccuracy(predicted, intended);
            }
        }
        double validity = StructureValidity(images);
        double? consistency = null, similarity = null, diversity = null;
        if (groups is not null)
        {
            using var embeddings = IdentityEmbeddings(images);
            if (GroupMetrics.HasPairs(groups))
            {
                using var cosines = GroupMetrics.Cosines(embeddings);
                consistency = GroupMetrics.MeanWithinGroups(cosines, groups);
                diversity = Diversity(images, groups);
            }
            if (references is not null && groups.Any(references.ContainsKey))
                similarity = SimilarityToReferences(embeddings, groups, references);
        }
        return new CharacterWorldEvaluation(n, fd, validity, prompt, consistency, similarity, diversity);
    }

    private double SimilarityToReferences(Tensor embeddings, IReadOnlyList<int> groups, IReadOnlyDictionary<int, Tensor> references)
    {
        if (references.Count == 0) throw new ArgumentException("references: no group has reference images");
        using var scope = torch.NewDisposeScope();
        // All references in one pass, then split back by group.
        var sets = references.Select(kv => (kv.Key, Images: CheckImages(kv.Value, 1, $"references of group {kv.Key}"))).ToArray();
        var all = IdentityEmbeddings(torch.cat(sets.Select(s => s.Images).ToArray()));            // (ΣM,128)
        var byGroup = new Dictionary<int, Tensor>();
        long start = 0;
        foreach (var (group, images) in sets)
        {
            byGroup[group] = all.narrow(0, start, images.shape[0]);                            // (M,128)
            start += images.shape[0];
        }
        return GroupMetrics.MeanCosineToReferences(embeddings, groups, byGroup);
    }

    private static FactorAccuracy PromptAccuracy(IReadOnlyDictionary<string, Tensor> predicted, IReadOnlyList<IntendedFactors> intended)
    {
        long n = predicted.Values.First().shape[0];
        if (intended.Count != n) throw new ArgumentException($"intended: expected one entry per image ({n}), got {intended.Count}");
        var accuracy = new Dictionary<string, double>();
        var counts = new Dictionary<string, int>();
        foreach (var (name, _) in FactorClassifier.Factors)
        {
            var classes = predicted[name].data<long>().ToArray();
            int asked = 0, right = 0;
            for (int i = 0; i < n; i++)
            {
                if (intended[i].Get(name) is not long want) continue;
                asked++;
                if (classes[i] == want) right++;
            }
            if (asked == 0) continue;
            accuracy[name] = (double)right / asked;
            counts[name] = asked;
        }
        if (accuracy.Count == 0) throw new ArgumentException("intended: no image requests any factor");
        return new FactorAccuracy(accuracy, counts);
    }

    private static double ValidShare(Tensor counts)
    {
        using var valid = StructureChecker.IsValid(counts);
        using var share = valid.to(ScalarType.Float64).mean();
        return share.item<double>();
    }

    // Square RGB of any side from 16 to 256 pixels; JudgeImages.ToJudgeInput resamples to the judges' 64.
    private static Tensor CheckImages(Tensor images, int minimum, string name = "images")
    {
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != images.shape[3] || images.shape[2] is < 16 or > 256)
            throw new ArgumentException($"{name}: expected (N,3,S,S) in [−1,1] with S from 16 to 256 (judged at {JudgeTrunk.ImageSize}×{JudgeTrunk.ImageSize}), got [{string.Join(", ", images.shape)}]");
        if (images.shape[0] < minimum) throw new ArgumentException($"{name}: expected at least {minimum} images, got {images.shape[0]}");
        return images;
    }

    public void Dispose()
    {
        _referenceStatistics?.Dispose();
        Identity.Dispose();
        Factors.Dispose();
        Structure.Dispose();
    }
}
