import express, { Request, Response } from "express";
import { greet } from "./greet";

const app = express();
const port: number = Number(process.env.PORT ?? 3000);

app.get("/", (req: Request, res: Response) => {
  const name = typeof req.query.name === "string" ? req.query.name : "Docker";
  res.json(greet(name));
});

app.get("/healthz", (_req: Request, res: Response) => {
  res.send("ok");
});

app.listen(port, () => {
  console.log(`listening on :${port}`);
});
