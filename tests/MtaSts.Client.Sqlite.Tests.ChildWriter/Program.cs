using MtaSts.Sqlite;
using MtaSts.Sqlite.ChildWriter;

// Usage: ChildWriter <database path> <count>
// Writes records 0..count-1 one SetAsync at a time and prints "committed <i>" after each returns, so that the parent
// knows which writes were reported durable before it kills this process. The store is never disposed on purpose.
var path = args[0];
var count = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var store = new SqlitePolicyStore(path);
Console.Out.WriteLine("ready");
for (var i = 0; i < count; i++)
{
    await store.SetAsync(ChildRecords.Create(i));
    Console.Out.WriteLine($"committed {i}");
}

Console.Out.WriteLine("done");
return 0;
