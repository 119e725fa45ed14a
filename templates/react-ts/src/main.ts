import { createElement, StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import "./style.css";

createRoot(document.getElementById("app")!).render(createElement(StrictMode, null, createElement(App)));
