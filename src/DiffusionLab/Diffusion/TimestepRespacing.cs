using System.Globalization;

namespace DiffusionLab.Diffusion;

/// <summary>
/// Which timesteps of a T-step process a respaced sampler keeps (IDDPM <c>space_timesteps</c>).
/// </summary>
public static class TimestepRespacing
{
    /// <summary>
    /// Kept timesteps, ascending. <paramref name="spec"/> is "" (all), comma-separated section counts ("250",
    /// "10,15,20": each equal part of [0, T) strided to that many steps), or "ddimN" (the DDIM paper's fixed
    /// integer stride giving exactly N steps).
    /// </summary>
    public static int[] Space(int numTimesteps, string spec)
    {
        if (numTimesteps < 1) throw new ArgumentOutOfRangeException(nameof(numTimesteps), numTimesteps, "numTimesteps must be at least 1");
        ArgumentNullException.ThrowIfNull(spec);
        spec = spec.Trim();
        if (spec.Length == 0) return Enumerable.Range(0, numTimesteps).ToArray();
        if (spec.StartsWith("ddim", StringComparison.Ordinal))
        {
            if (!int.TryParse(spec.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int desired) || desired < 1)
                throw new ArgumentException($"timestep respacing '{spec}': expected 'ddimN' with N a positive integer", nameof(spec));
            for (int stride = 1; stride < numTimesteps; stride++)
                if ((numTimesteps + stride - 1) / stride == desired)
                    return Enumerable.Range(0, desired).Select(k => k * stride).ToArray();
            throw new ArgumentException($"timestep respacing '{spec}': cannot take exactly {desired} of {numTimesteps} steps with an integer stride", nameof(spec));
        }
        var counts = new List<int>();
        foreach (var part in spec.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int c) || c < 1)
                throw new ArgumentException($"timestep respacing '{spec}': expected 'ddimN' or comma-separated positive step counts such as '250' or '10,15,20'", nameof(spec));
            counts.Add(c);
        }
        int sizePer = numTimesteps / counts.Count, extra = numTimesteps % counts.Count;
        int start = 0;
        var steps = new SortedSet<int>();
        for (int i = 0; i < counts.Count; i++)
        {
            int size = sizePer + (i < extra ? 1 : 0);
            int count = counts[i];
            if (size < count)
                throw new ArgumentException($"timestep respacing '{spec}': cannot divide a section of {size} steps into {count}", nameof(spec));
            double stride = count <= 1 ? 1 : (size - 1) / (double)(count - 1);
            double cur = 0;
            for (int k = 0; k < count; k++)
            {
                // Python's round() is round-half-to-even.
                steps.Add(start + (int)Math.Round(cur, MidpointRounding.ToEven));
                cur += stride;
            }
            start += size;
        }
        return steps.ToArray();
    }
}
