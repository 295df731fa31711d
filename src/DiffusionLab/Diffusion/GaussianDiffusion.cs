using System.Collections.ObjectModel;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Diffusion;

/// <summary>
/// The Gaussian diffusion process of DDPM/IDDPM as used by DiT and MDT: q_sample, the posterior q(x_{t−1}|x_t, x_0),
/// ε-prediction with learned-range variance (IDDPM eq. 15), and the hybrid loss mse + vb (IDDPM §3.1). Schedule
/// arrays are float64; per-timestep coefficients are gathered like the official <c>_extract_into_tensor</c>
/// (float64 values cast to float32) from a table cached once per device. Timestep tensors are int64 indices into
/// this process's own arrays (for a respaced process: indices, not original timesteps).
/// </summary>
public sealed class GaussianDiffusion
{
    internal enum Coef
    {
        AlphasCumprod, AlphasCumprodPrev, SqrtAlphasCumprod, SqrtOneMinusAlphasCumprod, SqrtRecipAlphasCumprod,
        SqrtRecipm1AlphasCumprod, PosteriorVariance, PosteriorLogVarianceClipped, PosteriorMeanCoef1, PosteriorMeanCoef2,
        LogBetas, FixedLargeVariance, FixedLargeLogVariance,
    }

    private static readonly double Ln2 = Math.Log(2.0);
    private readonly double[][] _coefficients;
    private readonly Dictionary<string, Tensor> _tables = new();
    private readonly object _tablesLock = new();

    /// <summary>Builds the process from β_1..β_T (float64; copied). <paramref name="learnSigma"/>: the model also
    /// outputs v for the learned-range variance (output 2C channels); otherwise the variance is IDDPM's fixed-large.</summary>
    public GaussianDiffusion(double[] betas, bool learnSigma = true)
    {
        ArgumentNullException.ThrowIfNull(betas);
        if (betas.Length < 2) throw new ArgumentException($"a diffusion process needs at least 2 timesteps, got {betas.Length}", nameof(betas));
        for (int i = 0; i < betas.Length; i++)
            if (!(betas[i] > 0 && betas[i] <= 1)) throw new ArgumentException($"betas[{i}] = {betas[i]}: every beta must be in (0, 1]", nameof(betas));
        LearnSigma = learnSigma;
        int n = betas.Length;
        var b = (double[])betas.Clone();
        var ac = new double[n];
        double prod = 1.0;
        for (int i = 0; i < n; i++) { prod *= 1.0 - b[i]; ac[i] = prod; }
        var acPrev = new double[n];
        var acNext = new double[n];
        acPrev[0] = 1.0;
        for (int i = 1; i < n; i++) acPrev[i] = ac[i - 1];
        for (int i = 0; i < n - 1; i++) acNext[i] = ac[i + 1];
        acNext[n - 1] = 0.0;
        var sqrtAc = Map(ac, Math.Sqrt);
        var sqrtOneMinusAc = Map(ac, a => Math.Sqrt(1.0 - a));
        var logOneMinusAc = Map(ac, a => Math.Log(1.0 - a));
        var sqrtRecipAc = Map(ac, a => Math.Sqrt(1.0 / a));
        var sqrtRecipm1Ac = Map(ac, a => Math.Sqrt(1.0 / a - 1));
        var postVar = new double[n];
        var coef1 = new double[n];
        var coef2 = new double[n];
        for (int i = 0; i < n; i++)
        {
            // DDPM eq. 7: β̃_t = β_t(1−ᾱ_{t−1})/(1−ᾱ_t); μ̃ = coef1·x_0 + coef2·x_t.
            postVar[i] = b[i] * (1.0 - acPrev[i]) / (1.0 - ac[i]);
            coef1[i] = b[i] * Math.Sqrt(acPrev[i]) / (1.0 - ac[i]);
            coef2[i] = (1.0 - acPrev[i]) * Math.Sqrt(1.0 - b[i]) / (1.0 - ac[i]);
        }
        // β̃_0 = 0, so its log is clipped to β̃_1.
        var postLogVarClipped = new double[n];
        postLogVarClipped[0] = Math.Log(postVar[1]);
        for (int i = 1; i < n; i++) postLogVarClipped[i] = Math.Log(postVar[i]);
        var fixedLarge = new double[n];
        fixedLarge[0] = postVar[1];
        for (int i = 1; i < n; i++) fixedLarge[i] = b[i];

        Betas = Array.AsReadOnly(b);
        AlphasCumprod = Array.AsReadOnly(ac);
        AlphasCumprodPrev = Array.AsReadOnly(acPrev);
        AlphasCumprodNext = Array.AsReadOnly(acNext);
        SqrtAlphasCumprod = Array.AsReadOnly(sqrtAc);
        SqrtOneMinusAlphasCumprod = Array.AsReadOnly(sqrtOneMinusAc);
        LogOneMinusAlphasCumprod = Array.AsReadOnly(logOneMinusAc);
        SqrtRecipAlphasCumprod = Array.AsReadOnly(sqrtRecipAc);
        SqrtRecipm1AlphasCumprod = Array.AsReadOnly(sqrtRecipm1Ac);
        PosteriorVariance = Array.AsReadOnly(postVar);
        PosteriorLogVarianceClipped = Array.AsReadOnly(postLogVarClipped);
        PosteriorMeanCoef1 = Array.AsReadOnly(coef1);
        PosteriorMeanCoef2 = Array.AsReadOnly(coef2);

        _coefficients = new double[Enum.GetValues<Coef>().Length][];
        _coefficients[(int)Coef.AlphasCumprod] = ac;
        _coefficients[(int)Coef.AlphasCumprodPrev] = acPrev;
        _coefficients[(int)Coef.SqrtAlphasCumprod] = sqrtAc;
        _coefficients[(int)Coef.SqrtOneMinusAlphasCumprod] = sqrtOneMinusAc;
        _coefficients[(int)Coef.SqrtRecipAlphasCumprod] = sqrtRecipAc;
        _coefficients[(int)Coef.SqrtRecipm1AlphasCumprod] = sqrtRecipm1Ac;
        _coefficients[(int)Coef.PosteriorVariance] = postVar;
        _coefficients[(int)Coef.PosteriorLogVarianceClipped] = postLogVarClipped;
        _coefficients[(int)Coef.PosteriorMeanCoef1] = coef1;
        _coefficients[(int)Coef.PosteriorMeanCoef2] = coef2;
        _coefficients[(int)Coef.LogBetas] = Map(b, Math.Log);
        _coefficients[(int)Coef.FixedLargeVariance] = fixedLarge;
        _coefficients[(int)Coef.FixedLargeLogVariance] = Map(fixedLarge, Math.Log);
    }

    /// <summary>T, the number of steps of this process.</summary>
    public int NumTimesteps => Betas.Count;

    /// <summary>Whether the model outputs [ε, v] (2C channels) for the learned-range variance.</summary>
    public bool LearnSigma { get; }

    public IReadOnlyList<double> Betas { get; }
    public IReadOnlyList<double> AlphasCumprod { get; }
    public IReadOnlyList<double> AlphasCumprodPrev { get; }
    public IReadOnlyList<double> AlphasCumprodNext { get; }
    public IReadOnlyList<double> SqrtAlphasCumprod { get; }
    public IReadOnlyList<double> SqrtOneMinusAlphasCumprod { get; }
    public IReadOnlyList<double> LogOneMinusAlphasCumprod { get; }
    public IReadOnlyList<double> SqrtRecipAlphasCumprod { get; }
    public IReadOnlyList<double> SqrtRecipm1AlphasCumprod { get; }
    public IReadOnlyList<double> PosteriorVariance { get; }
    public IReadOnlyList<double> PosteriorLogVarianceClipped { get; }
    public IReadOnlyList<double> PosteriorMeanCoef1 { get; }
    public IReadOnlyList<double> PosteriorMeanCoef2 { get; }

    /// <summary>x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε (DDPM eq. 4).</summary>
    public Tensor QSample(Tensor x0, Tensor t, Tensor noise)
    {
        CheckSameShape(x0, noise, nameof(noise));
        return Extract(Coef.SqrtAlphasCumprod, t, x0) * x0 + Extract(Coef.SqrtOneMinusAlphasCumprod, t, x0) * noise;
    }

    /// <summary>q(x_{t−1} | x_t, x_0): mean coef1·x_0 + coef2·x_t, variance β̃_t, and its clipped log (DDPM eq. 6–7).</summary>
    public PosteriorMeanVariance QPosterior(Tensor x0, Tensor xt, Tensor t)
    {
        CheckSameShape(xt, x0, nameof(x0));
        var mean = Extract(Coef.PosteriorMeanCoef1, t, xt) * x0 + Extract(Coef.PosteriorMeanCoef2, t, xt) * xt;
        var variance = Extract(Coef.PosteriorVariance, t, xt).expand(xt.shape);
        var logVariance = Extract(Coef.PosteriorLogVarianceClipped, t, xt).expand(xt.shape);
        return new PosteriorMeanVariance(mean, variance, logVariance);
    }

    /// <summary>
    /// p_θ(x_{t−1} | x_t) from the model output (N, 2C, …) = [ε̂, v] when <see cref="LearnSigma"/>, else (N, C, …) = ε̂.
    /// Learned range (IDDPM eq. 15): frac = (v+1)/2, log σ² = frac·log β_t + (1−frac)·log β̃_t (clipped).
    /// x̂_0 = √(1/ᾱ_t)·x_t − √(1/ᾱ_t − 1)·ε̂, optionally clamped to [−1, 1]; mean = μ̃(x̂_0, x_t).
    /// </summary>
    public PredictedMeanVariance PMeanVariance(Tensor modelOutput, Tensor xt, Tensor t, bool clipDenoised = false)
    {
        var (eps, varValues) = SplitOutput(modelOutput, xt);
        Tensor variance, logVariance;
        if (varValues is not null)
        {
            var minLog = Extract(Coef.PosteriorLogVarianceClipped, t, xt);
            var maxLog = Extract(Coef.LogBetas, t, xt);
            var frac = (varValues + 1) / 2;
            logVariance = frac * maxLog + (1 - frac) * minLog;
            variance = logVariance.exp();
        }
        else
        {
            variance = Extract(Coef.FixedLargeVariance, t, xt).expand(xt.shape);
            logVariance = Extract(Coef.FixedLargeLogVariance, t, xt).expand(xt.shape);
        }
        var predXStart = PredictXStartFromEps(xt, t, eps);
        if (clipDenoised) predXStart = predXStart.clamp(-1, 1);
        var mean = Extract(Coef.PosteriorMeanCoef1, t, xt) * predXStart + Extract(Coef.PosteriorMeanCoef2, t, xt) * xt;
        return new PredictedMeanVariance(mean, variance, logVariance, predXStart);
    }

    /// <summary>x̂_0 = √(1/ᾱ_t)·x_t − √(1/ᾱ_t − 1)·ε.</summary>
    public Tensor PredictXStartFromEps(Tensor xt, Tensor t, Tensor eps)
    {
        CheckSameShape(xt, eps, nameof(eps));
        return Extract(Coef.SqrtRecipAlphasCumprod, t, xt) * xt - Extract(Coef.SqrtRecipm1AlphasCumprod, t, xt) * eps;
    }

    /// <summary>ε = (√(1/ᾱ_t)·x_t − x̂_0) / √(1/ᾱ_t − 1).</summary>
    public Tensor PredictEpsFromXStart(Tensor xt, Tensor t, Tensor predXStart)
    {
        CheckSameShape(xt, predXStart, nameof(predXStart));
        return (Extract(Coef.SqrtRecipAlphasCumprod, t, xt) * xt - predXStart) / Extract(Coef.SqrtRecipm1AlphasCumprod, t, xt);
    }

    /// <summary>ᾱ_t as float32, shaped (N, 1, …) to broadcast against <paramref name="like"/>.</summary>
    public Tensor AlphaCumprodAt(Tensor t, Tensor like) => Extract(Coef.AlphasCumprod, t, like);

    /// <summary>ᾱ_{t−1} (1 at t = 0) as float32, shaped (N, 1, …) to broadcast against <paramref name="like"/>.</summary>
    public Tensor AlphaCumprodPrevAt(Tensor t, Tensor like) => Extract(Coef.AlphasCumprodPrev, t, like);

    /// <summary>SNR_t = (√ᾱ_t / √(1−ᾱ_t))², float32 of shape (N), computed as MDT does.</summary>
    public Tensor SignalToNoise(Tensor t)
    {
        var table = TableFor(t.device);
        var index = t.to(ScalarType.Int64);
        var ratio = table[(int)Coef.SqrtAlphasCumprod].index_select(0, index) / table[(int)Coef.SqrtOneMinusAlphasCumprod].index_select(0, index);
        return ratio * ratio;
    }

    /// <summary>
    /// The vb term in bits per sample (N): KL(q(x_{t−1}|x_t, x_0) ‖ p_θ(x_{t−1}|x_t)) averaged over elements, and at
    /// t = 0 the discretised-Gaussian decoder NLL (IDDPM <c>_vb_terms_bpd</c>, eq. 4–5). No stop-gradient here.
    /// With <paramref name="lossMask"/> (broadcastable to x_t) the per-element terms are multiplied by it before the
    /// mean over all elements (not normalised by the mask's area).
    /// </summary>
    public Tensor VbTerms(Tensor modelOutput, Tensor x0, Tensor xt, Tensor t, Tensor? lossMask = null)
    {
        var posterior = QPosterior(x0, xt, t);
        var p = PMeanVariance(modelOutput, xt, t, clipDenoised: false);
        var klElements = NormalKl(posterior.Mean, posterior.LogVarianceClipped, p.Mean, p.LogVariance);
        var nllElements = DiscretizedGaussianLogLikelihood(x0, p.Mean, 0.5 * p.LogVariance);
        if (lossMask is not null) (klElements, nllElements) = (klElements * lossMask, nllElements * lossMask);
        var kl = MeanFlat(klElements) / Ln2;
        var nll = -MeanFlat(nllElements) / Ln2;
        return torch.where(OnDevice(t, xt).eq(0), nll, kl);
    }

    /// <summary>
    /// IDDPM hybrid loss for ε-prediction. <paramref name="model"/> maps x_t to the output (N, 2C, …) (or (N, C, …)
    /// without learned sigma); the caller closes over t (original timesteps) and labels.
    /// mse = w(t)·mean((ε − ε̂)²); vb uses a detached ε̂ so that it trains only the variance (IDDPM §3.1);
    /// loss = mse + vb. Without learned sigma vb is zero.
    /// <paramref name="lossMask"/> (broadcastable to x_0, e.g. (N, 1, H, W) person masks; null = none) restricts the
    /// loss to where it is non-zero as FastComposer's masked diffusion loss does (photomaker.md §2.2): prediction and
    /// target are both multiplied by the mask and the squared error is averaged over ALL elements, not normalised by
    /// the mask's area; the vb term is masked the same way.
    /// </summary>
    public DiffusionLosses TrainingLosses(Func<Tensor, Tensor> model, Tensor x0, Tensor t, Tensor noise, LossWeighting weighting, Tensor? lossMask = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weighting);
        var xt = QSample(x0, t, noise);
        var output = model(xt);
        var (eps, varValues) = SplitOutput(output, xt);
        Tensor vb;
        if (varValues is not null)
        {
            var frozen = torch.cat([eps.detach(), varValues], 1);
            vb = VbTerms(frozen, x0, xt, t, lossMask);
        }
        else
        {
            vb = torch.zeros(x0.shape[0], dtype: eps.dtype, device: eps.device);
        }
        var diff = lossMask is null ? noise - eps : noise * lossMask - eps * lossMask;
        var mse = MeanFlat(diff * diff);
        if (weighting.MinSnrGamma is not null) mse = weighting.Weight(SignalToNoise(OnDevice(t, xt))) * mse;
        return new DiffusionLosses(mse + vb, mse, vb);
    }

    /// <summary>A process over the kept timesteps <paramref name="useTimesteps"/> of this one (IDDPM respacing).</summary>
    public SpacedDiffusion Respaced(IReadOnlyList<int> useTimesteps) => new(this, useTimesteps);

    /// <summary>KL(N(μ1, e^{lv1}) ‖ N(μ2, e^{lv2})) elementwise, in nats.</summary>
    public static Tensor NormalKl(Tensor mean1, Tensor logVar1, Tensor mean2, Tensor logVar2)
    {
        var d = mean1 - mean2;
        return 0.5 * (-1.0 + logVar2 - logVar1 + (logVar1 - logVar2).exp() + d * d * (-logVar2).exp());
    }

    /// <summary>
    /// log-likelihood (nats) of <paramref name="x"/> under a Gaussian discretised to 256 bins on [−1, 1] (DDPM §3.3),
    /// with the tanh approximation of the normal CDF as in the official code.
    /// </summary>
    public static Tensor DiscretizedGaussianLogLikelihood(Tensor x, Tensor means, Tensor logScales)
    {
        CheckSameShape(x, means, nameof(means));
        CheckSameShape(x, logScales, nameof(logScales));
        var centered = x - means;
        var invStdv = (-logScales).exp();
        var cdfPlus = ApproxStandardNormalCdf(invStdv * (centered + 1.0 / 255.0));
        var cdfMin = ApproxStandardNormalCdf(invStdv * (centered - 1.0 / 255.0));
        var logCdfPlus = cdfPlus.clamp_min(1e-12).log();
        var logOneMinusCdfMin = (1.0 - cdfMin).clamp_min(1e-12).log();
        var logCdfDelta = (cdfPlus - cdfMin).clamp_min(1e-12).log();
        return torch.where(x < -0.999, logCdfPlus, torch.where(x > 0.999, logOneMinusCdfMin, logCdfDelta));
    }

    /// <summary>Φ(x) ≈ ½(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    public static Tensor ApproxStandardNormalCdf(Tensor x) =>
        0.5 * (1.0 + (Math.Sqrt(2.0 / Math.PI) * (x + 0.044715 * x.pow(3))).tanh());

    /// <summary>Mean over every dimension but the first.</summary>
    public static Tensor MeanFlat(Tensor x) => x.dim() <= 1 ? x : x.flatten(1).mean([1L]);

    internal Tensor Extract(Coef which, Tensor t, Tensor like)
    {
        var table = TableFor(like.device);
        var values = table[(int)which].index_select(0, OnDevice(t, like).to(ScalarType.Int64));
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = values.shape[0];
        return values.view(shape);
    }

    private Tensor TableFor(Device device)
    {
        string key = $"{device.type}:{device.index}";
        lock (_tablesLock)
        {
            if (_tables.TryGetValue(key, out var cached)) return cached;
            int k = _coefficients.Length, n = NumTimesteps;
            var data = new float[k * n];
            for (int i = 0; i < k; i++)
                for (int j = 0; j < n; j++) data[i * n + j] = (float)_coefficients[i][j];
            // Lives as long as this process: kept out of any caller's dispose scope.
            var table = torch.tensor(data, [k, n], device: device).DetachFromDisposeScope();
            _tables[key] = table;
            return table;
        }
    }

    private (Tensor Eps, Tensor? VarValues) SplitOutput(Tensor modelOutput, Tensor xt)
    {
        long c = xt.shape[1];
        if (LearnSigma)
        {
            if (modelOutput.dim() != xt.dim() || modelOutput.shape[0] != xt.shape[0] || modelOutput.shape[1] != 2 * c)
                throw new ArgumentException($"model output {FormatShape(modelOutput)} must be [N, 2C, ...] = [{xt.shape[0]}, {2 * c}, ...] for x_t {FormatShape(xt)} (learned sigma)");
            return (modelOutput.narrow(1, 0, c), modelOutput.narrow(1, c, c));
        }
        if (!modelOutput.shape.SequenceEqual(xt.shape))
            throw new ArgumentException($"model output {FormatShape(modelOutput)} must have x_t's shape {FormatShape(xt)} (no learned sigma)");
        return (modelOutput, null);
    }

    private static Tensor OnDevice(Tensor t, Tensor like) =>
        t.device_type == like.device_type && t.device_index == like.device_index ? t : t.to(like.device);

    private static void CheckSameShape(Tensor a, Tensor b, string name)
    {
        if (!a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"{name} has shape {FormatShape(b)}, expected {FormatShape(a)}", name);
    }

    private static string FormatShape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    private static double[] Map(double[] a, Func<double, double> f)
    {
        var r = new double[a.Length];
        for (int i = 0; i < a.Length; i++) r[i] = f(a[i]);
        return r;
    }
}
