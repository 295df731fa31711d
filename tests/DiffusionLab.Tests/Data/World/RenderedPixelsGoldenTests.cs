using System.Security.Cryptography;
using DiffusionLab.Data.World;

namespace DiffusionLab.Tests.Data.World;

/// <summary>
/// Pins the exact bytes CharacterWorld draws: each group of renders is hashed (pixels and mask) and
/// compared with the hash recorded from the renderer at <see cref="CharacterWorld.RendererVersion"/>.
/// A refactor of the drawing code must keep every hash; a deliberate change of the pictures bumps
/// RendererVersion (so on-disk caches are not served stale) and records the new hashes here.
/// </summary>
public sealed class RenderedPixelsGoldenTests
{
    /// <summary>Recorded at RendererVersion 1 (SkiaSharp CPU raster).</summary>
    public static TheoryData<string, int, string> Recorded() => new()
    {
        { "identities", 32, "51 images F13178F2DA31ECB575F809C6" },
        { "identities", 64, "51 images F4B0DE762DD42AFB96B16333" },
        { "scenes", 32, "18 images 73CE16E4DCCA0937E3395D4A" },
        { "scenes", 64, "18 images C18907F642BB16B53165689B" },
        { "headwear", 32, "96 images C97EAF02F6665E7199DE0A4D" },
        { "headwear", 64, "96 images 7BF578A0EE435FFEAFAFA9A4" },
        { "expressions-and-poses", 32, "40 images 2D3B6BEDA63D4E5FD8BE6B72" },
        { "expressions-and-poses", 64, "40 images 32FFB201C8CD57FB6D6725EB" },
        { "face-parts", 32, "180 images 89C61852637543285DAC5044" },
        { "face-parts", 64, "180 images 60BB81A89B9590BAB2D75547" },
        { "degradations", 32, "10 images 26059E2A669280180D717AA8" },
        { "degradations", 64, "10 images 65E4BA1F17A34F45427BC343" },
        { "clip", 32, "6 images A64395934480B9F418836FB7" },
        { "clip", 64, "6 images 1DCE0D4ACEA428CA2CBA4B89" },
        { "identities", 128, "51 images 49BF51637E496700DEC04CCE" },
    };

    [Theory]
    [MemberData(nameof(Recorded))]
    public void Renders_the_recorded_pixels(string group, int size, string expected)
    {
        Assert.Equal(1, CharacterWorld.RendererVersion);
        using var world = new CharacterWorld(new CharacterWorldConfig { ImageSize = size, TrainIdentities = 400, HeldOutIdentities = 0 });
        var images = Group(world, group).ToArray();
        Assert.Equal(expected, Hash(images));
    }

    private static IEnumerable<CharacterImage> Group(CharacterWorld world, string group)
    {
        var people = CoveringIdentities(world);
        int adult = people.First(id => !world.Traits(id).IsChild), child = people.First(id => world.Traits(id).IsChild);
        switch (group)
        {
            case "identities":
                // Every hair style, mark, face and nose shape, mouth, skin tone and class word at least once,
                // each in its own sampled factors and in plain frontal ones.
                foreach (int id in people)
                {
                    for (int index = 0; index < 2; index++) yield return world.Render(id, index);
                    yield return world.Render(id, new ImageFactors());
                }
                break;
            case "scenes":
                foreach (var background in Enum.GetValues<BackgroundScene>())
                    for (int seed = 0; seed < 3; seed++)
                        yield return world.Render(adult, new ImageFactors { Background = background, DetailSeed = seed, Clothing = (ClothingColor)seed });
                break;
            case "headwear":
                foreach (var headwear in Enum.GetValues<Headwear>())
                    foreach (int id in new[] { adult, child })
                        foreach (double yaw in new[] { -0.6, 0.0, 0.6 })
                            for (int seed = 0; seed < 2; seed++)
                                yield return world.Render(id, new ImageFactors { Headwear = headwear, Yaw = yaw, DetailSeed = seed });
                break;
            case "expressions-and-poses":
                foreach (var expression in Enum.GetValues<Expression>())
                    foreach (var (yaw, roll, scale, x, y) in new[] { (0.0, 0.0, 1.0, 0.0, 0.0), (-1.0, -20.0, 0.7, -15.0, -10.0), (1.0, 20.0, 1.25, 15.0, 10.0), (0.35, -7.5, 0.9, 4.0, -3.0) })
                        foreach (int id in new[] { adult, child })
                            yield return world.Render(id, new ImageFactors { Expression = expression, Yaw = yaw, Roll = roll, Scale = scale, OffsetX = x, OffsetY = y });
                break;
            case "face-parts":
                var marked = people.Where(id => world.Traits(id).Mark is DistinctiveMark.Glasses or DistinctiveMark.Beard or DistinctiveMark.Moustache).Append(child);
                foreach (int id in marked)
                    for (int eyes = 0; eyes <= 3; eyes++)
                        for (int noses = 0; noses <= 2; noses++)
                            for (int mouths = 0; mouths <= 2; mouths++)
                                yield return world.Render(id, new ImageFactors { Expression = (Expression)((eyes + noses + mouths) % 5), Yaw = 0.3 * (noses - 1) }, new FaceParts(eyes, noses, mouths));
                break;
            case "degradations":
                var image = world.Render(adult, 3);
                foreach (string name in ImageDegradation.PresetNames)
                    for (long seed = 0; seed < 2; seed++)
                        yield return world.Degrade(image, ImageDegradation.Preset(name), seed);
                yield return world.Degrade(image, new ImageDegradation(BlurSigma: 0.7, NoiseStd: 5, DownsampleFactor: 2), seed: 3);
                foreach (var reference in world.RenderReferences(child, 0, 3, drawSeed: 1, degradation: new ImageDegradation(BlurSigma: 1.0, NoiseStd: 8)))
                    yield return reference;
                break;
            case "clip":
                var start = new ImageFactors { Expression = Expression.Sad, Yaw = -0.8, Roll = -10, Background = BackgroundScene.City, Headwear = Headwear.Cap };
                var end = start with { Expression = Expression.Smiling, Yaw = 0.8, Roll = 12, Scale = 1.2, OffsetX = 6 };
                foreach (var frame in world.RenderClip(adult, start, end, 6)) yield return frame;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(group), $"group '{group}'");
        }
    }

    /// <summary>The first identity with each value of every discrete trait, in ascending id order.</summary>
    private static int[] CoveringIdentities(CharacterWorld world)
    {
        var chosen = new SortedSet<int>();
        void Cover<T>(Func<IdentityTraits, T> trait) where T : struct, Enum
        {
            foreach (var value in Enum.GetValues<T>())
            {
                int id = Enumerable.Range(0, world.IdentityCount).First(i => EqualityComparer<T>.Default.Equals(trait(world.Traits(i)), value));
                chosen.Add(id);
            }
        }
        Cover(t => t.ClassWord);
        Cover(t => t.FaceShape);
        Cover(t => t.SkinTone);
        Cover(t => t.HairStyle);
        Cover(t => t.HairColor);
        Cover(t => t.EyeColor);
        Cover(t => t.NoseShape);
        Cover(t => t.MouthShape);
        Cover(t => t.Mark);
        return chosen.ToArray();
    }

    private static string Hash(IEnumerable<CharacterImage> images)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int count = 0;
        foreach (var image in images)
        {
            sha.AppendData(image.Pixels);
            sha.AppendData(image.Mask);
            count++;
        }
        return $"{count} images {Convert.ToHexString(sha.GetHashAndReset())[..24]}";
    }
}
