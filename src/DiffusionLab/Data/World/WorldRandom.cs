namespace DiffusionLab.Data.World;

/// <summary>
/// A small counter-based generator (SplitMix64, Steele et al. 2014) seeded by hashing a key such as
/// (world seed, identity, image index, stream). Owned by the caller and never shared, so every draw
/// depends only on its key and the number of draws before it, on any thread.
/// </summary>
internal struct WorldRandom
{
    private ulong _state;

    private WorldRandom(ulong state) => _state = state;

    /// <summary>A generator for the key; the stream tag keeps traits, factors and noise independent.</summary>
    public static WorldRandom For(long seed, long a, long b, WorldStream stream)
    {
        ulong h = Mix((ulong)seed ^ 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ (ulong)a);
        h = Mix(h ^ (ulong)b * 0xD1B54A32D192ED03UL);
        h = Mix(h ^ (ulong)stream * 0xABCDEF0123456789UL);
        return new WorldRandom(h);
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform in [0, n); the modulo bias is below 2⁻⁵⁰ for the small n used here.</summary>
    public int Next(int n) => (int)(NextUInt64() % (ulong)n);

    public T Pick<T>(ReadOnlySpan<T> items) => items[Next(items.Length)];

    /// <summary>Index drawn with probability proportional to its weight.</summary>
    public int Weighted(ReadOnlySpan<double> weights)
    {
        double total = 0;
        foreach (var w in weights) total += w;
        double u = NextDouble() * total;
        for (int i = 0; i < weights.Length; i++)
        {
            u -= weights[i];
            if (u < 0) return i;
        }
        return weights.Length - 1;
    }

    /// <summary>Standard normal (Box–Muller; the second value is dropped to keep the state simple).</summary>
    public double Gaussian()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
