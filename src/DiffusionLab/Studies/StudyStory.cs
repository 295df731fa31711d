using DiffusionLab.Data.World;
using DiffusionLab.Evaluation.World;

namespace DiffusionLab.Studies;

/// <summary>One procedural story of a story study: its text (a story file) and what each panel asked for.</summary>
public sealed record StudyStory(string Name, string Text, IReadOnlyList<IntendedFactors> Intended)
{
    private static readonly string[] Names = ["Ada", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gia", "Hugo", "Ivy", "Jack", "Kim", "Leo", "Mia", "Ned", "Ola", "Pip"];

    /// <summary>
    /// <paramref name="count"/> stories of one character each, drawn from <paramref name="seed"/>: a class word, shirt
    /// colour and headwear ("a photo of a woman in a red shirt wearing a crown", the caption grammar's first
    /// template), then <paramref name="panels"/> panels each with an expression and a place, no two alike.
    /// </summary>
    public static IReadOnlyList<StudyStory> Generate(int count, int panels, long seed)
    {
        var random = new Random((int)(seed & 0x7fffffff));
        T Pick<T>(T[] values) => values[random.Next(values.Length)];
        var stories = new List<StudyStory>();
        for (int s = 0; s < count; s++)
        {
            string name = Names[s % Names.Length] + (s >= Names.Length ? (s / Names.Length).ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
            var cls = Pick(Enum.GetValues<ClassWord>());
            var color = Pick(Enum.GetValues<ClothingColor>());
            var headwear = Pick(Enum.GetValues<Headwear>());
            var character = CaptionGrammar.Compose(cls, new ImageFactors { Clothing = color, Headwear = headwear, Expression = Expression.Neutral, Background = BackgroundScene.Plain, CaptionVariant = 0 }).Text;
            // "a photo of a C in a K shirt [wearing H], E, B": the description ends before the expression.
            string description = character[..character.IndexOf(',', StringComparison.Ordinal)];
            var lines = new List<string> { $"[{name}] {description}", "" };
            var intended = new List<IntendedFactors>();
            var used = new HashSet<(Expression, BackgroundScene)>();
            for (int p = 0; p < panels; p++)
            {
                (Expression, BackgroundScene) action;
                do action = (Pick(Enum.GetValues<Expression>()), Pick(Enum.GetValues<BackgroundScene>().Where(b => b != BackgroundScene.Plain).ToArray()));
                while (!used.Add(action) && used.Count < 25);
                var caption = CaptionGrammar.Compose(cls, new ImageFactors { Clothing = color, Headwear = headwear, Expression = action.Item1, Background = action.Item2, CaptionVariant = 0 }).Text;
                lines.Add($"[{name}] {caption[description.Length..]} #{name}, {WorldWords.Of(action.Item1)}");
                intended.Add(new IntendedFactors(cls, action.Item1, headwear, color, action.Item2));
            }
            stories.Add(new StudyStory(name, string.Join("\n", lines) + "\n", intended));
        }
        return stories;
    }
}
