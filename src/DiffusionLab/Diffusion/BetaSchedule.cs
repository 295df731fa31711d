namespace DiffusionLab.Diffusion;

/// <summary>
/// Noise schedules β_t (float64), as in IDDPM/DiT <c>get_named_beta_schedule</c>.
/// </summary>
public static class BetaSchedule
{
    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["linear", "cosine"];

    /// <summary>
    /// Ho et al. linear schedule extended to any T: β from 1e-4·(1000/T) to 0.02·(1000/T), like numpy <c>linspace</c>.
    /// </summary>
    public static double[] Linear(int numTimesteps)
    {
        if (numTimesteps < 1) throw new ArgumentOutOfRangeException(nameof(numTimesteps), numTimesteps, "numTimesteps must be at least 1");
        double scale = 1000.0 / numTimesteps;
        double start = scale * 0.0001, end = scale * 0.02;
        var betas = new double[numTimesteps];
        if (numTimesteps == 1) { betas[0] = start; return betas; }
        double step = (end - start) / (numTimesteps - 1);
        for (int i = 0; i < numTimesteps; i++) betas[i] = i * step + start;
        betas[^1] = end;
        return betas;
    }

    /// <summary>
    /// IDDPM cosine schedule (Nichol &amp; Dhariwal eq. 17): ᾱ(t) = cos²((t+s)/(1+s)·π/2), s = 0.008,
    /// β_i = min(1 − ᾱ((i+1)/T)/ᾱ(i/T), 0.999).
    /// </summary>
    public static double[] Cosine(int numTimesteps)
    {
        if (numTimesteps < 1) throw new ArgumentOutOfRangeException(nameof(numTimesteps), numTimesteps, "numTimesteps must be at least 1");
        static double AlphaBar(double t) { double c = Math.Cos((t + 0.008) / 1.008 * Math.PI / 2); return c * c; }
        var betas = new double[numTimesteps];
        for (int i = 0; i < numTimesteps; i++)
        {
            double t1 = (double)i / numTimesteps, t2 = (double)(i + 1) / numTimesteps;
            betas[i] = Math.Min(1 - AlphaBar(t2) / AlphaBar(t1), 0.999);
        }
        return betas;
    }

    /// <summary>The schedule called <paramref name="name"/> ("linear", or "cosine" = "squaredcos_cap_v2").</summary>
    public static double[] Create(string name, int numTimesteps) => name switch
    {
        "linear" => Linear(numTimesteps),
        "cosine" or "squaredcos_cap_v2" => Cosine(numTimesteps),
        _ => throw new ArgumentException($"unknown beta schedule '{name}': expected one of {string.Join(", ", Names)}", nameof(name)),
    };
}
