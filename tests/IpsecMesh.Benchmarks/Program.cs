using IpsecMesh.Benchmarks.Pki;

switch (args.FirstOrDefault())
{
    case "pki":
        var seconds = args.Length > 2 && args[1] == "--seconds" ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
        return await PkiBenchmark.RunAsync(TimeSpan.FromSeconds(seconds));
    default:
        Console.WriteLine("usage: dotnet run -c Release --project tests/IpsecMesh.Benchmarks -- <pki> [--seconds N]");
        return 2;
}
